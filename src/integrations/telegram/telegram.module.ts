import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../../connections/connections.module';
import { TelegramApiFactory } from './telegram-api.factory';
import { TelegramConnector } from './telegram.connector';

@Module({
  imports: [ConnectionsModule],
  providers: [TelegramApiFactory, TelegramConnector],
  exports: [TelegramApiFactory, TelegramConnector],
})
export class TelegramModule {}

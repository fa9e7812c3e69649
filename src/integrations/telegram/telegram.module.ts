import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../../connections/connections.module';
import { ConversationsModule } from '../../conversations/conversations.module';
import { OutboundHttpModule } from '../../http/outbound-http.module';
import { TelegramApiFactory } from './telegram-api.factory';
import { TelegramClickAnswerer } from './telegram-click-answerer';
import { TelegramPoller } from './telegram-poller';
import { TelegramWebhookController } from './telegram-webhook.controller';
import { TelegramConnector } from './telegram.connector';

@Module({
  imports: [ConnectionsModule, ConversationsModule, OutboundHttpModule],
  controllers: [TelegramWebhookController],
  providers: [TelegramApiFactory, TelegramConnector, TelegramClickAnswerer],
  exports: [TelegramApiFactory, TelegramConnector, TelegramClickAnswerer],
})
export class TelegramModule {}

/** Worker-only: long-polling for connections in polling mode. */
@Module({
  imports: [TelegramModule, ConnectionsModule, ConversationsModule],
  providers: [TelegramPoller],
  exports: [TelegramPoller],
})
export class TelegramWorkerModule {}

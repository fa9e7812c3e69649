import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../../connections/connections.module';
import { SlackApiFactory } from './slack-api.factory';
import { SlackConnector } from './slack.connector';

@Module({
  imports: [ConnectionsModule],
  providers: [SlackApiFactory, SlackConnector],
  exports: [SlackApiFactory, SlackConnector],
})
export class SlackModule {}

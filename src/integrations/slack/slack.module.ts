import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../../connections/connections.module';
import { ConversationsModule } from '../../conversations/conversations.module';
import { OutboundHttpModule } from '../../http/outbound-http.module';
import { SlackApiFactory } from './slack-api.factory';
import { SlackEventsController } from './slack-events.controller';
import { SlackInteractionsController } from './slack-interactions.controller';
import { SlackManifestController } from './slack-manifest.controller';
import { SlackConnector } from './slack.connector';

@Module({
  imports: [ConnectionsModule, ConversationsModule, OutboundHttpModule],
  controllers: [SlackEventsController, SlackInteractionsController, SlackManifestController],
  providers: [SlackApiFactory, SlackConnector],
  exports: [SlackApiFactory, SlackConnector],
})
export class SlackModule {}

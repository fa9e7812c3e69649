import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../../connections/connections.module';
import { ConversationsModule } from '../../conversations/conversations.module';
import { OutboundHttpModule } from '../../http/outbound-http.module';
import { SlackApiFactory } from './slack-api.factory';
import { SlackEventsController } from './slack-events.controller';
import { SlackInteractionsController } from './slack-interactions.controller';
import { SlackIngest } from './slack-ingest.service';
import { SlackManifestController } from './slack-manifest.controller';
import { SlackSocketManager } from './slack-socket.manager';
import { SlackSocketRepository } from './slack-socket.repository';
import { SlackConnector } from './slack.connector';

@Module({
  imports: [ConnectionsModule, ConversationsModule, OutboundHttpModule],
  controllers: [SlackEventsController, SlackInteractionsController, SlackManifestController],
  providers: [SlackApiFactory, SlackConnector, SlackIngest, SlackSocketRepository],
  exports: [SlackApiFactory, SlackConnector, SlackIngest, SlackSocketRepository],
})
export class SlackModule {}

/** Worker-only: Socket Mode links for connections in `settings.mode = "socket"`. */
@Module({
  imports: [SlackModule, ConnectionsModule],
  providers: [SlackSocketManager],
  exports: [SlackSocketManager],
})
export class SlackWorkerModule {}

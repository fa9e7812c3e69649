import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { ConnectionsModule } from '../connections/connections.module';
import { WebhookSharedModule } from '../webhooks/webhook-shared.module';
import { EventsService } from './events.service';
import { StatusEventsBridge } from './status-events.bridge';

/** The event catalog and the outbox (`EventsService.publish`). Always loaded; publishing is a no-op when webhooks are off. */
@Module({
  imports: [WebhookSharedModule, AgentsModule, ConnectionsModule],
  providers: [EventsService, StatusEventsBridge],
  exports: [EventsService],
})
export class EventsModule {}

import { Module } from '@nestjs/common';
import { EventPublisher } from './event-publisher';
import { EventsRepository } from './events.repository';

/**
 * The outbox: `EventPublisher` is the one publisher port every state-changing service calls inside its own
 * transaction. Imports no feature module; the wake-up after commit is the `OutboxWakeup` port, bound by webhooks/
 * (`WebhookSharedModule`, global), and the known event types the `KnownEventTypes` port, bound by app.module to the
 * assembled catalog (`EventTypesModule.forRoot`, global). Always loaded; publishing is a no-op when webhooks are off.
 */
@Module({
  providers: [EventPublisher, EventsRepository],
  exports: [EventPublisher],
})
export class EventsModule {}

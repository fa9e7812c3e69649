import { BullModule } from '@nestjs/bullmq';
import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { KeyRotationService } from '../crypto/encrypted-columns';
import { QueueName } from '../queue/queues';
import { DeliveryQueue } from './delivery-queue';

/** Registers the endpoint secret columns with `keys:rotate`, whether or not ENABLE_WEBHOOKS is on. */
@Injectable()
export class WebhookSecretColumns implements OnModuleInit {
  constructor(private readonly rotation: KeyRotationService) {}

  onModuleInit(): void {
    this.rotation.register({ table: 'webhook_endpoint', column: 'secret_encrypted', field: 'secret' });
    this.rotation.register({ table: 'webhook_endpoint', column: 'previous_secret_encrypted', field: 'previous_secret' });
  }
}

/** Always loaded (through EventsModule): the `webhook-deliveries` queue and its enqueue helpers, shared by the outbox, the API and the worker. */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.WebhookDeliveries })],
  providers: [DeliveryQueue, WebhookSecretColumns],
  exports: [DeliveryQueue, BullModule],
})
export class WebhookQueueModule {}

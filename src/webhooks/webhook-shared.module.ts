import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { KeyRotationService } from '../crypto/key-rotation.service';
import { OutboxWakeup } from '../events/outbox-wakeup';
import { DeliveryWakeup } from './delivery-wakeup';

/** Registers the endpoint secret columns with `keys:rotate`, whether or not ENABLE_WEBHOOKS is on. */
@Injectable()
export class WebhookSecretColumns implements OnModuleInit {
  constructor(private readonly rotation: KeyRotationService) {}

  onModuleInit(): void {
    this.rotation.register({ table: 'webhook_endpoint', column: 'secret_encrypted', field: 'secret' });
    this.rotation.register({ table: 'webhook_endpoint', column: 'previous_secret_encrypted', field: 'previous_secret' });
  }
}

/**
 * Always loaded (app.module): the delivery wake-up shared by the outbox, the API and the dispatcher. Global because it
 * binds the events module's `OutboxWakeup` port to `DeliveryWakeup`, and events/ must not import webhooks/.
 */
@Global()
@Module({
  providers: [DeliveryWakeup, { provide: OutboxWakeup, useExisting: DeliveryWakeup }, WebhookSecretColumns],
  exports: [DeliveryWakeup, OutboxWakeup],
})
export class WebhookSharedModule {}

import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { KeyRotationService } from '../crypto/key-rotation.service';
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

/** Always loaded (through EventsModule): the delivery wake-up shared by the outbox, the API and the dispatcher. */
@Module({
  providers: [DeliveryWakeup, WebhookSecretColumns],
  exports: [DeliveryWakeup],
})
export class WebhookSharedModule {}

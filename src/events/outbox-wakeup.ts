/**
 * The port the outbox calls once a transaction that published something has committed: "deliveries may be due now".
 * Owned here and implemented by webhooks/ (`DeliveryWakeup`: this process at once, other processes through
 * PostgreSQL NOTIFY), which binds it in `WebhookSharedModule`; events/ never imports webhooks/. An abstract class so
 * that it is its own injection token. A lost signal only delays delivery: dispatchers poll PostgreSQL as well.
 */
export abstract class OutboxWakeup {
  abstract signal(): void;
}

import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEvent } from './webhook-event.entity';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event for one endpoint, and the dispatcher's queue: a pending row is claimed (leased), sent and recorded.
 * The table has fillfactor 70 (set in its migration; TypeORM has no option for it) so claims update rows in place.
 */
@Entity('webhook_delivery')
// An endpoint's deliveries by time (the delivery log, recover), and an event's deliveries: a delivery is created with
// its event (same created_at, one per endpoint of the event's team), so an event's deliveries are found through its
// team's endpoints at its created_at — no index on event_id of its own (one fewer to write per publish and record).
@Index(['endpointId', 'createdAt'])
// The dispatcher's claim: teams with pending deliveries (loose scan), then each endpoint's due rows in time order.
@Index('idx_webhook_delivery_due', ['teamId', 'endpointId', 'nextAttemptAt'], { where: `status = 'pending'` })
// FIFO endpoints: the head of the endpoint's queue in publish order.
@Index('idx_webhook_delivery_fifo', ['endpointId', 'seq'], { where: `status = 'pending' AND fifo` })
@Index('idx_webhook_delivery_delivered', ['deliveredAt'], { where: `status = 'delivered'` })
export class WebhookDelivery {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') teamId: string;
  @Column({ type: 'varchar', length: 40 }) eventId: string;
  @Column('uuid') endpointId: string;
  /** Copied from the event for filtering. */
  @Column({ type: 'varchar', length: 100 }) eventType: string;
  @Column({ type: 'enum', enum: DELIVERY_STATUSES, enumName: 'webhook_delivery_status', default: 'pending' }) status: DeliveryStatus;
  /** Attempts ever made (attempt rows are numbered by it). */
  @Column({ type: 'int', default: 0 }) attemptCount: number;
  /** Attempts made in the current round of the schedule (a retry or recover starts a new round). */
  @Column({ type: 'int', default: 0 }) roundAttempts: number;
  /** When the current round's first attempt was made; the schedule's offsets count from here. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) roundStartedAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) nextAttemptAt: Date | null;
  /** A dispatcher holds the delivery until then (claimed before sending, so two workers never send it at once). */
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) claimedUntil: Date | null;
  /** Which dispatcher holds it (its results are recorded only while it still does). */
  @Column({ type: 'varchar', length: 64, nullable: true }) claimedBy: string | null;
  /** Publish order (FIFO endpoints send in this order). */
  @Column({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS', select: false, insert: false, update: false }) seq?: string;
  /** The endpoint was `ordering: "fifo"` when this delivery became pending (then it waits for the ones before it). */
  @Column({ type: 'boolean', default: false }) fifo: boolean;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) lastAttemptAt: Date | null;
  @Column({ type: 'int', nullable: true }) lastStatusCode: number | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) lastErrorCode: string | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) deliveredAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;

  // No foreign keys to the event and the endpoint: a delivery is only ever inserted by the publish statement, with its
  // event and after reading its endpoint FOR KEY SHARE (events.repository.ts), which is what the checks did again for
  // every row. Deleting an event or an endpoint deletes its deliveries by a trigger (migration WebhookCascadeTriggers).
  @ManyToOne(() => WebhookEvent, { createForeignKeyConstraints: false }) @JoinColumn({ name: 'event_id' }) event?: WebhookEvent;
  @ManyToOne(() => WebhookEndpoint, { createForeignKeyConstraints: false }) @JoinColumn({ name: 'endpoint_id' }) endpoint?: WebhookEndpoint;
}

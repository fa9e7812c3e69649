import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { WebhookDelivery } from './webhook-delivery.entity';

/**
 * One HTTP attempt of a delivery: what was sent (headers, never secrets) and what came back. The primary key leads with
 * the delivery: a delivery's attempts (the delivery log, the cascade on delete) are found by it, and each recorded
 * attempt writes one index entry, not two.
 */
@Entity('webhook_attempt')
export class WebhookAttempt {
  @PrimaryColumn('uuid') deliveryId: string;
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'int' }) attemptNumber: number;
  @Column({ type: 'jsonb' }) requestHeaders: Record<string, string>;
  @Column({ type: 'int', nullable: true }) statusCode: number | null;
  /** The response body, truncated to 4 KB. */
  @Column({ type: 'text', nullable: true }) responseBody: string | null;
  @Column({ type: 'int' }) durationMs: number;
  /** TIMEOUT, DNS, CONNREFUSED, TLS, SSRF_BLOCKED or NETWORK when no HTTP response came back. */
  @Column({ type: 'varchar', length: 20, nullable: true }) errorCode: string | null;
  @Column({ type: 'text', nullable: true }) errorMessage: string | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;

  // No foreign key: attempts are only inserted by the record statement, for deliveries it updates or locks
  // (delivery-batch.sql.ts). Deleting deliveries deletes their attempts by a trigger (migration WebhookAttemptCascade).
  @ManyToOne(() => WebhookDelivery, { createForeignKeyConstraints: false }) @JoinColumn({ name: 'delivery_id' }) delivery?: WebhookDelivery;
}

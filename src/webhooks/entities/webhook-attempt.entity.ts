import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { WebhookDelivery } from './webhook-delivery.entity';

/** One HTTP attempt of a delivery: what was sent (headers, never secrets) and what came back. */
@Entity('webhook_attempt')
@Index(['deliveryId', 'attemptNumber'])
export class WebhookAttempt {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') deliveryId: string;
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

import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Team } from '../../teams/entities/team.entity';

export const ENDPOINT_STATUSES = ['active', 'failing', 'disabled'] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];
export const ENDPOINT_ORDERINGS = ['none', 'fifo'] as const;
export type EndpointOrdering = (typeof ENDPOINT_ORDERINGS)[number];

/** A team's HTTPS endpoint that receives the events it subscribes to. */
@Entity('webhook_endpoint')
@Index(['teamId', 'createdAt'])
export class WebhookEndpoint {
  /** Assigned by us before insert: the id is part of the secret's authenticated data. */
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') teamId: string;
  @Column({ type: 'varchar', length: 2000 }) url: string;
  @Column({ type: 'varchar', length: 500, nullable: true }) description: string | null;
  /** Subscribed event types; NULL = every type. */
  @Column({ type: 'text', array: true, nullable: true }) eventTypes: string[] | null;
  @Column({ type: 'enum', enum: ENDPOINT_STATUSES, enumName: 'webhook_endpoint_status', default: 'active' }) status: EndpointStatus;
  /** Why the endpoint is disabled or failing (410 Gone, retries exhausted, disabled by an admin). */
  @Column({ type: 'text', nullable: true }) statusReason: string | null;
  /** CredentialCipher envelope of the `whsec_…` secret (AAD: webhook_endpoint/<id>/secret). */
  @Column({ type: 'text', select: false }) secretEncrypted: string;
  /** The secret before the last rotation, still signing until `previousSecretExpiresAt` (AAD field previous_secret). */
  @Column({ type: 'text', nullable: true, select: false }) previousSecretEncrypted: string | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) previousSecretExpiresAt: Date | null;
  /** At most this many deliveries start per second (across every worker); NULL = no limit. */
  @Column({ type: 'int', nullable: true }) rateLimitPerSecond: number | null;
  /** `fifo`: one delivery at a time, in publish order; a failing one holds the rest until it succeeds or fails for good. */
  @Column({ type: 'enum', enum: ENDPOINT_ORDERINGS, enumName: 'webhook_endpoint_ordering', default: 'none' }) ordering: EndpointOrdering;
  /** The rate limiter's state (the next free send slot), written only by the dispatcher's claim. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true, select: false, insert: false, update: false }) rateNextAt?: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;

  @ManyToOne(() => Team, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'team_id' }) team?: Team;
}

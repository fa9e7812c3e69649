import { Column, Entity, Generated, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';

export const INBOUND_STATUSES = ['received', 'processing', 'done', 'ignored', 'failed'] as const;
export type InboundStatus = (typeof INBOUND_STATUSES)[number];

/** A verified platform event, stored before it is acknowledged. The worker turns it into messages and a reply. */
@Entity('inbound_event')
@Index(['connectionId', 'dedupeKey'], { unique: true })
@Index('UQ_inbound_event_body_hash', ['connectionId', 'bodyHash'], { unique: true, where: '"body_hash" IS NOT NULL' })
/**
 * A conversation's unfinished events in order (its head, the claim, the sweeper): only those are in it, so finding the
 * head never walks past a chat's finished history, and a finished event leaves the index.
 */
@Index('IDX_inbound_event_pending', ['connectionId', 'orderingKey', 'seq'], { where: `"status" IN ('received', 'processing')` })
/** The event log (newest first per connection, time filters) and the health counts of the last 24 h. */
@Index(['connectionId', 'receivedAt'])
export class InboundEvent {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** Arrival order; messages of one conversation are handled strictly in this order. */
  @Column({ type: 'bigint' }) @Generated('increment') seq: string;
  @Column('uuid') connectionId: string;
  @Column({ type: 'varchar', length: 20 }) platform: string;
  /** Platform delivery id (Telegram update_id, Slack event_id, GitHub X-GitHub-Delivery). */
  @Column({ type: 'varchar', length: 200 }) dedupeKey: string;
  /**
   * SHA-256 of the raw request body, for platforms whose signatures carry no timestamp (GitHub): a captured signed
   * body re-sent under a new delivery id is a duplicate too. Null elsewhere.
   */
  @Column({ type: 'bytea', nullable: true }) bodyHash: Buffer | null;
  /** The conversation this event belongs to, known at ingest (chat, thread…), so ordering never waits on parsing. */
  @Column({ type: 'varchar', length: 300 }) orderingKey: string;
  @Column({ type: 'jsonb' }) payload: Record<string, unknown>;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) receivedAt: Date;
  @Column({ type: 'enum', enum: INBOUND_STATUSES, enumName: 'inbound_status', default: 'received' }) status: InboundStatus;
  @Column({ type: 'text', nullable: true }) error: string | null;
  @Column({ type: 'int', default: 0 }) attempts: number;
  /** Transient runtime failures so far; each waits AGENT_RETRY_DELAYS_MS[n] through notBefore, never in-process. */
  @Column({ type: 'int', default: 0 }) agentAttempts: number;
  /** Set when a platform asked us to wait (429): nothing of this conversation runs before it. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) notBefore: Date | null;
  @Column({ type: 'uuid', nullable: true }) conversationId: string | null;
  /** The stored reply; a retry after a failed send re-sends it instead of asking the agent again. */
  @Column({ type: 'uuid', nullable: true }) replyMessageId: string | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) processedAt: Date | null;

  @ManyToOne(() => PlatformConnection, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'connection_id' }) connection?: PlatformConnection;
}

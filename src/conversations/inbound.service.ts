import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { NotFound } from '../common/errors';
import { ConnectionChanges } from '../connections/connection-changes';
import { ConnectionsService } from '../connections/connections.service';
import { PlatformConnection } from '../connections/entities/platform-connection.entity';
import { QueueName } from '../queue/queues';

export interface InboundJob {
  eventId: string;
  /** How many times this job found its conversation busy and waited. */
  polls?: number;
}

export interface IngestInput {
  dedupeKey: string;
  orderingKey: string;
  payload: Record<string, unknown>;
  /** SHA-256 of the raw body: a second event with the same hash on the connection is a duplicate (replay). */
  bodyHash?: Buffer;
}

const isForeignKeyViolation = (e: unknown): boolean => (e as { code?: string }).code === '23503';

/**
 * The ingest contract every platform controller uses: store the verified event once (dedupe on the platform's
 * delivery id, and on the body's hash when given), enqueue its processing, and return — never waiting on the agent.
 */
@Injectable()
export class InboundService {
  private readonly logger = new Logger('Inbound');
  /** last_event_at is written at most every few seconds per connection: a busy bot must not serialize on its row. */
  private readonly lastMarked = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Inbound) private readonly queue: Queue<InboundJob>,
    private readonly connections: ConnectionsService,
    private readonly changes: ConnectionChanges,
  ) {}

  /**
   * `ignored` records the event without processing it (e.g. a paused connection). A connection deleted since the
   * guard loaded it is NotFound (the webhook answers 404, as for any unknown connection).
   */
  async ingest(connection: PlatformConnection, input: IngestInput, ignored?: string): Promise<{ eventId: string | null; duplicate: boolean }> {
    let rows: { id: string }[];
    try {
      // No conflict target: a conflict on either unique index (dedupe key, body hash) makes it a duplicate.
      rows = (await this.dataSource.query(
        `INSERT INTO inbound_event (connection_id, platform, dedupe_key, ordering_key, payload, status, error, body_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT DO NOTHING
         RETURNING id`,
        [
          connection.id,
          connection.platform,
          input.dedupeKey.slice(0, 200),
          input.orderingKey.slice(0, 300),
          input.payload,
          ignored ? 'ignored' : 'received',
          ignored ?? null,
          input.bodyHash ?? null,
        ],
      )) as { id: string }[];
    } catch (e) {
      if (!isForeignKeyViolation(e)) throw e;
      this.changes.forgetLocally(connection.id);
      throw new NotFound('connection');
    }
    if (!rows.length) return { eventId: null, duplicate: true };
    const eventId = rows[0].id;
    const now = Date.now();
    if (now - (this.lastMarked.get(connection.id) ?? 0) > 5000) {
      this.lastMarked.set(connection.id, now);
      if (this.lastMarked.size > 10_000) this.lastMarked.clear();
      await this.connections.markEvent(connection.id, new Date(now));
    }
    if (!ignored) await this.enqueue(eventId);
    return { eventId, duplicate: false };
  }

  /** Enqueue failures are logged, not thrown: the event is stored and the sweeper will enqueue it. */
  async enqueue(eventId: string): Promise<void> {
    try {
      await this.queue.add('inbound', { eventId }, { jobId: eventId, attempts: 8, backoff: { type: 'exponential', delay: 2000 } });
    } catch (e) {
      this.logger.warn(`could not enqueue inbound event ${eventId} (the sweeper will retry): ${(e as Error).message}`);
    }
  }
}

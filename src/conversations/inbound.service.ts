import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { ConnectionsService } from '../connections/connections.service';
import { PlatformConnection } from '../connections/entities/platform-connection.entity';
import { QueueName } from '../queue/queues';
import { EVENT_PUBLISHER, EventPublisher } from './conversation-events';
import { InboundEventsRepository } from './inbound-events.repository';

/** A wake-up for one stored event's conversation: ids only (the row is the truth). */
export interface InboundJob {
  eventId: string;
  connectionId?: string;
  orderingKey?: string;
}

/**
 * Jobs are only wake-ups (the database row is the truth), removed once done so an id can be used again; BullMQ's own
 * attempts cover unexpected errors (the database unreachable).
 */
const INBOUND_JOB_OPTIONS = { attempts: 8, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: { age: 24 * 3600 } } as const;

export interface IngestInput {
  dedupeKey: string;
  orderingKey: string;
  payload: Record<string, unknown>;
}

/**
 * The ingest contract every platform controller uses: store the verified event once (dedupe on the platform's
 * delivery id), enqueue its processing, and return — never waiting on the agent.
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
    private readonly events: InboundEventsRepository,
    @Inject(EVENT_PUBLISHER) private readonly outbox: EventPublisher,
  ) {}

  /** `ignored` records the event without processing it (e.g. a paused connection). */
  async ingest(connection: PlatformConnection, input: IngestInput, ignored?: string): Promise<{ eventId: string | null; duplicate: boolean }> {
    const orderingKeyStored = input.orderingKey.slice(0, 300);
    const rows = (await this.dataSource.query(
      `INSERT INTO inbound_event (connection_id, platform, dedupe_key, ordering_key, payload, status, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (connection_id, dedupe_key) DO NOTHING
       RETURNING id`,
      [connection.id, connection.platform, input.dedupeKey.slice(0, 200), orderingKeyStored, input.payload, ignored ? 'ignored' : 'received', ignored ?? null],
    )) as { id: string }[];
    if (!rows.length) return { eventId: null, duplicate: true };
    const eventId = rows[0].id;
    const now = Date.now();
    if (now - (this.lastMarked.get(connection.id) ?? 0) > 5000) {
      this.lastMarked.set(connection.id, now);
      if (this.lastMarked.size > 10_000) this.lastMarked.clear();
      await this.connections.markEvent(connection.id, new Date(now));
    }
    if (!ignored) await this.enqueue({ eventId, connectionId: connection.id, orderingKey: orderingKeyStored });
    return { eventId, duplicate: false };
  }

  /**
   * Wakes a worker for the event's conversation, now or at `at` (a held event). The first wake-up's job id is the event
   * id (a webhook retry adds nothing); later ones (`at`, or a sweep's `fresh`) get their own, so a finished or failed job
   * kept by BullMQ never swallows them. Failures are logged, not thrown: the event is stored and the sweeper will
   * enqueue it.
   */
  async enqueue(job: InboundJob, opts: { at?: Date; fresh?: boolean } = {}): Promise<void> {
    const { eventId } = job;
    const delay = opts.at ? Math.max(0, opts.at.getTime() - Date.now()) : 0;
    const jobId = opts.at || opts.fresh ? `${eventId}-${opts.at ? `at${opts.at.getTime()}` : `s${Date.now()}`}` : eventId;
    try {
      await this.queue.add('inbound', job, { ...INBOUND_JOB_OPTIONS, jobId, delay });
    } catch (e) {
      this.logger.warn(`could not enqueue inbound event ${eventId} (the sweeper will retry): ${(e as Error).message}`);
    }
  }

  /** An event that is not for the agent (e.g. a GitHub push): its outbound event and its `done` in one transaction. */
  async publishAndFinish(eventId: string, event: { type: string; teamId: string; data: Record<string, unknown> }): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await this.outbox.publish(em, event);
      await this.events.finish(eventId, 'done', null, em);
    });
  }
}

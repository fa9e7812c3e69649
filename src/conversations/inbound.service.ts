import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { jsonbText, withoutNul } from '../common/input-rules';
import { NotFound } from '../common/errors';
import { ConnectionChanges } from '../connections/connection-changes';
import { ConnectionsService } from '../connections/connections.service';
import { PlatformConnection } from '../connections/entities/platform-connection.entity';
import { statementBatcher } from '../database/statement-batcher';
import { JOB_OPTIONS, QueueName, REDIS_CALL_TIMEOUT_MS } from '../queue/queues';
import { RedisAvailability, RedisUnavailable } from '../queue/redis-availability';
import { EventPublisher } from '../events/event-publisher';
import { InboundEventsRepository } from './inbound-events.repository';
import { Clock } from '../common/clock';
import { LocalInboundRuns } from './local-inbound-runs';
import { InboundJob } from './inbound-job';
import { InboundWakeups } from './inbound-wakeups';

export type { InboundJob } from './inbound-job';

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
    private readonly redis: RedisAvailability,
    private readonly events: InboundEventsRepository,
    private readonly outbox: EventPublisher,
    private readonly changes: ConnectionChanges,
    private readonly clock: Clock,
    private readonly local: LocalInboundRuns,
    private readonly wakeups: InboundWakeups,
  ) {}

  /**
   * `ignored` records the event without processing it (e.g. a paused connection). PostgreSQL stores no NUL character
   * (U+0000) in text or jsonb, and a platform resends what we refuse, so every NUL in the event — its payload's
   * strings and keys, its keys, the reason — is stored as U+FFFD (the same UTF-16 length: Telegram's entity offsets
   * still point at the right text). A connection deleted since the guard loaded it is NotFound (the webhook answers
   * 404, as for any unknown connection).
   */
  async ingest(connection: PlatformConnection, input: IngestInput, ignored?: string): Promise<{ eventId: string | null; duplicate: boolean }> {
    const reason = ignored ? withoutNul(ignored) : null;
    const orderingKey = withoutNul(input.orderingKey).slice(0, 300);
    let eventId: string | null;
    try {
      eventId = await this.events.insert({
        connectionId: connection.id,
        platform: connection.platform,
        dedupeKey: withoutNul(input.dedupeKey).slice(0, 200),
        orderingKey,
        payload: jsonbText(input.payload),
        status: reason !== null ? 'ignored' : 'received',
        error: reason,
        bodyHash: input.bodyHash ?? null,
      });
    } catch (e) {
      if (!isForeignKeyViolation(e)) throw e;
      this.changes.forgetLocally(connection.id);
      throw new NotFound('connection');
    }
    if (eventId === null) return { eventId: null, duplicate: true };
    const now = this.clock.nowMs();
    if (now - (this.lastMarked.get(connection.id) ?? 0) > 5000) {
      this.lastMarked.set(connection.id, now);
      if (this.lastMarked.size > 10_000) this.lastMarked.clear();
      await this.connections.markEvent(connection.id, new Date(now));
    }
    if (reason === null) await this.enqueue({ eventId, connectionId: connection.id, orderingKey });
    return { eventId, duplicate: false };
  }

  /**
   * Wakes a worker for the event's conversation, now or at `at` (a held event). A first wake-up goes to this process's
   * own inbound worker when it has one with room (LocalInboundRuns), else onto the wake-up list that workers take in
   * batches (InboundWakeups); a webhook retry adds nothing (the event is stored once). Later ones (`at`, or a sweep's
   * `fresh`) are BullMQ jobs with their own ids, so a finished or failed job kept by BullMQ never swallows them.
   * Bounded (the platform may be waiting for our 200); failures are logged, not thrown: the event is stored and the
   * sweeper enqueues it. Returns whether the wake-up was handed over.
   */
  async enqueue(job: InboundJob, opts: { at?: Date; fresh?: boolean; timeoutMs?: number } = {}): Promise<boolean> {
    if (!opts.at && !opts.fresh && opts.timeoutMs === undefined) return this.local.tryRun(job) || this.enqueueBatch(job);
    const { eventId } = job;
    const delay = opts.at ? Math.max(0, opts.at.getTime() - this.clock.nowMs()) : 0;
    const jobId = opts.at || opts.fresh ? `${eventId}-${opts.at ? `at${opts.at.getTime()}` : `s${this.clock.nowMs()}`}` : eventId;
    try {
      await this.redis.run('enqueue inbound event', () => this.queue.add('inbound', job, { ...JOB_OPTIONS[QueueName.Inbound], jobId, delay }), opts.timeoutMs ?? REDIS_CALL_TIMEOUT_MS);
      return true;
    } catch (e) {
      // While Redis is known to be down its monitor warns once a minute; one line per event would drown the log.
      const msg = `could not enqueue inbound event ${eventId} (the sweeper will): ${(e as Error).message}`;
      if (e instanceof RedisUnavailable) this.logger.debug(msg);
      else this.logger.warn(msg);
      return false;
    }
  }

  /**
   * First wake-ups of events stored at the same moment, for a worker in another process: one RPUSH onto the wake-up
   * list for all of them (a worker takes a burst together; see WakeupList).
   */
  private readonly enqueueBatch = statementBatcher<InboundJob, boolean>(async (jobs) => {
    try {
      await this.redis.run('enqueue inbound events', () => this.wakeups.push(jobs), REDIS_CALL_TIMEOUT_MS);
      return jobs.map(() => true);
    } catch (e) {
      const msg = `could not enqueue ${jobs.length} inbound event(s) (the sweeper will): ${(e as Error).message}`;
      if (e instanceof RedisUnavailable) this.logger.debug(msg);
      else this.logger.warn(msg);
      return jobs.map(() => false);
    }
  });

  /** An event that is not for the agent (e.g. a GitHub push): its outbound event and its `done` in one transaction. */
  async publishAndFinish(eventId: string, event: { type: string; teamId: string; data: Record<string, unknown> }): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await this.outbox.publish(em, event);
      await this.events.finish(eventId, 'done', null, em);
    });
  }
}

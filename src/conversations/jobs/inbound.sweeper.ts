import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { SchedulerLock } from '../../database/scheduler-lock';
import { QueueName, SWEEP_REDIS_TIMEOUT_MS } from '../../queue/queues';
import { RedisAvailability } from '../../queue/redis-availability';
import { ConversationsService } from '../conversations.service';
import { InboundJob, InboundService } from '../inbound.service';

/**
 * Worker, one replica at a time: re-enqueues stored events older than a minute that have no live job (Redis was
 * flushed, an enqueue failed, a job gave up), and completes conversations idle for CONVERSATION_IDLE_MINUTES.
 * While Redis is unreachable it skips the re-enqueue; when Redis comes back it sweeps at once, whatever the events' age.
 */
@Injectable()
export class InboundSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('InboundSweeper');
  private timer?: NodeJS.Timeout;
  /** Redis came back: the next sweep takes stored events of any age (whichever sweep gets the lock first). */
  private afterOutage = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Inbound) private readonly queue: Queue<InboundJob>,
    private readonly inbound: InboundService,
    private readonly conversations: ConversationsService,
    private readonly lock: SchedulerLock,
    private readonly config: AppConfig,
    private readonly redis: RedisAvailability,
  ) {}

  onApplicationBootstrap(): void {
    const s = this.config.inbound.sweepIntervalSeconds;
    if (s > 0) {
      this.timer = setInterval(() => void this.tick(), s * 1000);
      this.redis.onRecovered(() => {
        this.afterOutage = true;
        return this.lock.runExclusive('inbound-sweep', () => this.logSweep());
      });
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    await this.lock.runExclusive('inbound-sweep', () => this.logSweep());
    await this.lock.runExclusive('conversation-idle', async () => {
      await this.conversations.completeIdle(this.config.inbound.conversationIdleMinutes);
    });
  }

  private async logSweep(): Promise<void> {
    if (this.redis.isDown()) return;
    const all = this.afterOutage;
    this.afterOutage = false;
    try {
      const n = await this.sweep(all ? 0 : undefined);
      if (n) this.logger.warn(`re-enqueued ${n} inbound event(s) that had no live job`);
    } catch (e) {
      this.afterOutage ||= all;
      throw e;
    }
  }

  /**
   * Returns how many events were re-enqueued. `olderThanMs` is 60 s in production. Does nothing while Redis is known
   * to be unreachable, and stops at the first enqueue that fails (the next sweep goes on).
   */
  async sweep(olderThanMs = 60_000): Promise<number> {
    if (this.redis.isDown()) return 0;
    const stale = (await this.dataSource.query(
      `SELECT id FROM inbound_event
       WHERE status IN ('received', 'processing') AND received_at < now() - ($1::int * interval '1 millisecond')
         AND (not_before IS NULL OR not_before <= now())
       ORDER BY seq LIMIT 1000`,
      [olderThanMs],
    )) as { id: string }[];
    let count = 0;
    const bounded = <T>(what: string, fn: () => Promise<T>): Promise<T> => this.redis.run(`inbound sweep: ${what}`, fn, SWEEP_REDIS_TIMEOUT_MS);
    for (const { id } of stale) {
      const job = await bounded('job lookup', () => this.queue.getJob(id));
      const state = job ? await bounded('job state', () => job.getState()) : 'missing';
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') continue;
      if (job) await bounded('job removal', () => job.remove()).catch(() => undefined);
      if (!(await this.inbound.enqueue(id, SWEEP_REDIS_TIMEOUT_MS))) break;
      count++;
    }
    return count;
  }
}

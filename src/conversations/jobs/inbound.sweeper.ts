import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { SchedulerLock } from '../../database/scheduler-lock';
import { QueueName } from '../../queue/queues';
import { ConversationsService } from '../conversations.service';
import { InboundJob, InboundService } from '../inbound.service';

/**
 * Worker, one replica at a time: re-enqueues stored events older than a minute that have no live job (Redis was
 * flushed, an enqueue failed, a job gave up), and completes conversations idle for CONVERSATION_IDLE_MINUTES.
 */
@Injectable()
export class InboundSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('InboundSweeper');
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Inbound) private readonly queue: Queue<InboundJob>,
    private readonly inbound: InboundService,
    private readonly conversations: ConversationsService,
    private readonly lock: SchedulerLock,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const s = this.config.inbound.sweepIntervalSeconds;
    if (s > 0) this.timer = setInterval(() => void this.tick(), s * 1000);
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    await this.lock.runExclusive('inbound-sweep', async () => {
      const n = await this.sweep();
      if (n) this.logger.warn(`re-enqueued ${n} inbound event(s) that had no live job`);
    });
    await this.lock.runExclusive('conversation-idle', async () => {
      await this.conversations.completeIdle(this.config.inbound.conversationIdleMinutes);
    });
  }

  /** Returns how many events were re-enqueued. `olderThanMs` is 60 s in production. */
  async sweep(olderThanMs = 60_000): Promise<number> {
    const stale = (await this.dataSource.query(
      `SELECT id FROM inbound_event
       WHERE status IN ('received', 'processing') AND received_at < now() - ($1::int * interval '1 millisecond')
         AND (not_before IS NULL OR not_before <= now())
       ORDER BY seq LIMIT 1000`,
      [olderThanMs],
    )) as { id: string }[];
    let count = 0;
    for (const { id } of stale) {
      const job = await this.queue.getJob(id);
      const state = job ? await job.getState() : 'missing';
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') continue;
      if (job) await job.remove().catch(() => undefined);
      await this.inbound.enqueue(id);
      count++;
    }
    return count;
  }
}

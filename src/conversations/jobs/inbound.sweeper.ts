import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ScheduledJobs } from '../../database/scheduled-jobs';
import { SWEEP_REDIS_TIMEOUT_MS } from '../../queue/queues';
import { RedisAvailability } from '../../queue/redis-availability';
import { ConversationsService } from '../conversations.service';
import { InboundEventsRepository } from '../inbound-events.repository';
import { InboundEventLogRepository } from '../inbound-event-log.repository';
import { InboundService } from '../inbound.service';
import { Clock } from '../../common/clock';

const PRUNE_INTERVAL_MS = 3600_000;

/**
 * Worker, one replica at a time: wakes conversations whose stored events wait with nobody working on them — their
 * holder's lease expired (a worker died mid-turn), or their job was lost for a minute (Redis flushed, an enqueue
 * failed) — and completes conversations idle for CONVERSATION_IDLE_MINUTES. While Redis is unreachable it skips the
 * wake-ups; when Redis comes back it sweeps at once, whatever the events' age. Hourly, it deletes finished events
 * received more than INBOUND_RETENTION_DAYS ago (the event log's retention).
 */
@Injectable()
export class InboundSweeper implements OnApplicationBootstrap {
  private readonly logger = new Logger('InboundSweeper');
  /** Redis came back: the next sweep takes stored events of any age (whichever sweep gets the lock first). */
  private afterOutage = false;

  constructor(
    private readonly events: InboundEventsRepository,
    private readonly eventLog: InboundEventLogRepository,
    private readonly inbound: InboundService,
    private readonly conversations: ConversationsService,
    private readonly jobs: ScheduledJobs,
    private readonly config: AppConfig,
    private readonly redis: RedisAvailability,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.exclusive('inbound-prune', PRUNE_INTERVAL_MS, () => this.logPrune());
    const s = this.config.inbound.sweepIntervalSeconds;
    if (s > 0) {
      this.jobs.exclusive('inbound-sweep', s * 1000, () => this.logSweep());
      this.jobs.exclusive('conversation-idle', s * 1000, () => this.completeIdle());
      this.redis.onRecovered(() => {
        this.afterOutage = true;
        return this.jobs.runExclusive('inbound-sweep', () => this.logSweep());
      });
    }
  }

  /** Both jobs once, now (tests call it). */
  async tick(): Promise<void> {
    await this.jobs.runExclusive('inbound-sweep', () => this.logSweep());
    await this.jobs.runExclusive('conversation-idle', () => this.completeIdle());
  }

  private async completeIdle(): Promise<void> {
    await this.conversations.completeIdle(this.config.inbound.conversationIdleMinutes);
  }

  private async logPrune(): Promise<void> {
    const n = await this.prune();
    if (n) this.logger.log(`pruned ${n} finished inbound events older than ${this.config.inbound.retentionDays} days`);
  }

  /** Deletes finished events received more than `retentionDays` ago, `batchSize` per statement; returns how many. */
  async prune(batchSize = 1000, retentionDays = this.config.inbound.retentionDays): Promise<number> {
    const cutoff = new Date(this.clock.nowMs() - retentionDays * 86_400_000);
    let pruned = 0;
    for (;;) {
      const n = await this.eventLog.pruneFinished(cutoff, batchSize);
      pruned += n;
      if (n < batchSize) return pruned;
    }
  }

  private async logSweep(): Promise<void> {
    if (this.redis.isDown() || !this.config.integrations.enabled) return; // integrations off: no inbound worker to wake
    const all = this.afterOutage;
    this.afterOutage = false;
    try {
      const n = await this.sweep(all ? 0 : undefined);
      if (n) this.logger.warn(`woke ${n} conversation(s) whose events had no live job or lease`);
    } catch (e) {
      this.afterOutage ||= all;
      throw e;
    }
  }

  /**
   * Returns how many conversations were woken: those whose oldest unfinished event is due and that nobody works on
   * (see InboundEventsRepository.stalledHeads; `olderThanMs` is 60 s in production). Does nothing while Redis is known
   * to be unreachable, and stops at the first enqueue that fails (the next sweep goes on).
   */
  async sweep(olderThanMs = 60_000): Promise<number> {
    if (this.redis.isDown()) return 0;
    const stalled = await this.events.stalledHeads(olderThanMs);
    let count = 0;
    for (const h of stalled) {
      const job = { eventId: h.id, connectionId: h.connectionId, orderingKey: h.orderingKey };
      if (!(await this.inbound.enqueue(job, { fresh: true, timeoutMs: SWEEP_REDIS_TIMEOUT_MS }))) break;
      count++;
    }
    return count;
  }
}

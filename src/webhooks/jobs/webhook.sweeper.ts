import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { SchedulerLock } from '../../database/scheduler-lock';
import { SWEEP_REDIS_TIMEOUT_MS } from '../../queue/queues';
import { RedisAvailability } from '../../queue/redis-availability';
import { DeliveryQueue } from '../delivery-queue';

const PRUNE_INTERVAL_MS = 3600_000;

/**
 * Worker, one replica at a time (advisory locks):
 * - sweep: pending deliveries that are due and not leased get their job back if it is gone (Redis flushed or
 *   restarted, an enqueue failed after commit, a worker died mid-delivery and its lease ran out); skipped while Redis
 *   is unreachable, and run at once when it comes back;
 * - prune: delivered deliveries (and their attempts) older than WEBHOOK_RETENTION_DAYS, in batches, hourly.
 *   Failed and skipped deliveries are kept until recovered; events left without deliveries go too.
 */
@Injectable()
export class WebhookSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookSweeper');
  private timers: NodeJS.Timeout[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queue: DeliveryQueue,
    private readonly lock: SchedulerLock,
    private readonly config: AppConfig,
    private readonly redis: RedisAvailability,
  ) {}

  onApplicationBootstrap(): void {
    const s = this.config.webhooks.sweepIntervalSeconds;
    if (s > 0) {
      this.timers.push(setInterval(() => void this.lock.runExclusive('webhook-sweep', () => this.logSweep()), s * 1000));
      this.timers.push(setInterval(() => void this.lock.runExclusive('webhook-prune', () => this.logPrune()), PRUNE_INTERVAL_MS));
      this.redis.onRecovered(() => this.lock.runExclusive('webhook-sweep', () => this.logSweep()));
    }
  }

  onModuleDestroy(): void {
    for (const t of this.timers) clearInterval(t);
  }

  private async logSweep(): Promise<void> {
    const n = await this.sweep();
    if (n) this.logger.warn(`re-enqueued ${n} webhook deliveries that had no live job`);
  }

  private async logPrune(): Promise<void> {
    const r = await this.prune();
    if (r.deliveries) this.logger.log(`pruned ${r.deliveries} delivered webhook deliveries and ${r.events} events`);
  }

  /** Returns how many deliveries got a job back (none while Redis is known to be unreachable). */
  async sweep(limit = 1000): Promise<number> {
    if (this.redis.isDown()) return 0;
    const due = (await this.dataSource.query(
      `SELECT id FROM webhook_delivery
       WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
       ORDER BY next_attempt_at LIMIT $1`,
      [limit],
    )) as { id: string }[];
    let count = 0;
    for (const { id } of due) if (await this.queue.kick(id, SWEEP_REDIS_TIMEOUT_MS)) count++;
    return count;
  }

  /** Deletes delivered rows older than the retention in batches; returns what it removed. */
  async prune(batchSize = 1000, retentionDays = this.config.webhooks.retentionDays): Promise<{ deliveries: number; events: number }> {
    let deliveries = 0;
    for (;;) {
      const [, n] = (await this.dataSource.query(
        `DELETE FROM webhook_delivery WHERE id IN (
           SELECT id FROM webhook_delivery WHERE status = 'delivered' AND delivered_at < now() - ($1::int * interval '1 day') LIMIT $2)`,
        [retentionDays, batchSize],
      )) as [unknown, number];
      deliveries += n;
      if (n < batchSize) break;
    }
    let events = 0;
    for (;;) {
      const [, n] = (await this.dataSource.query(
        `DELETE FROM webhook_event WHERE id IN (
           SELECT e.id FROM webhook_event e
           WHERE e.created_at < now() - ($1::int * interval '1 day')
             AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.event_id = e.id)
           LIMIT $2)`,
        [retentionDays, batchSize],
      )) as [unknown, number];
      events += n;
      if (n < batchSize) break;
    }
    return { deliveries, events };
  }
}

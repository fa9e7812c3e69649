import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { SchedulerLock } from '../../database/scheduler-lock';
import { DeliveryWakeup } from '../delivery-wakeup';
import { WebhookDeliveriesRepository } from '../webhook-deliveries.repository';

const PRUNE_INTERVAL_MS = 3600_000;

/**
 * Worker, one replica at a time (advisory locks):
 * - sweep: leases of dispatchers that stopped (killed mid-batch) that ran out are given back and the dispatchers
 *   woken, so those deliveries go out now rather than at someone's next poll (each dispatcher's claim would also take
 *   them); logged, since it means a worker died;
 * - prune: delivered deliveries (and their attempts) older than WEBHOOK_RETENTION_DAYS, in batches, hourly.
 *   Failed and skipped deliveries are kept until recovered; events left without deliveries go too.
 */
@Injectable()
export class WebhookSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookSweeper');
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly wakeup: DeliveryWakeup,
    private readonly lock: SchedulerLock,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const s = this.config.webhooks.sweepIntervalSeconds;
    if (s > 0) {
      this.timers.push(setInterval(() => void this.lock.runExclusive('webhook-sweep', () => this.logSweep()), s * 1000));
      this.timers.push(setInterval(() => void this.lock.runExclusive('webhook-prune', () => this.logPrune()), PRUNE_INTERVAL_MS));
    }
  }

  onModuleDestroy(): void {
    for (const t of this.timers) clearInterval(t);
  }

  private async logSweep(): Promise<void> {
    const n = await this.sweep();
    if (n) this.logger.warn(`took back ${n} webhook deliveries whose dispatcher stopped before recording them (they are sent again)`);
  }

  private async logPrune(): Promise<void> {
    const r = await this.prune();
    if (r.deliveries) this.logger.log(`pruned ${r.deliveries} delivered webhook deliveries and ${r.events} events`);
  }

  /** Returns how many expired leases were given back. */
  async sweep(): Promise<number> {
    const n = await this.deliveries.releaseExpiredLeases();
    if (n) this.wakeup.signal();
    return n;
  }

  /** Deletes delivered rows older than the retention in batches; returns what it removed. */
  async prune(batchSize = 1000, retentionDays = this.config.webhooks.retentionDays): Promise<{ deliveries: number; events: number }> {
    let deliveries = 0;
    for (;;) {
      const n = await this.deliveries.pruneDelivered(retentionDays, batchSize);
      deliveries += n;
      if (n < batchSize) break;
    }
    let events = 0;
    for (;;) {
      const n = await this.deliveries.pruneOrphanEvents(retentionDays, batchSize);
      events += n;
      if (n < batchSize) break;
    }
    return { deliveries, events };
  }
}

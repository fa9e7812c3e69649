import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ScheduledJobs } from '../../database/scheduled-jobs';
import { DeliveryWakeup } from '../delivery-wakeup';
import { WebhookDeliveriesRepository } from '../webhook-deliveries.repository';
import { Clock } from '../../common/clock';

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
export class WebhookSweeper implements OnApplicationBootstrap {
  private readonly logger = new Logger('WebhookSweeper');

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly wakeup: DeliveryWakeup,
    private readonly jobs: ScheduledJobs,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const s = this.config.webhooks.sweepIntervalSeconds;
    if (s > 0) {
      this.jobs.exclusive('webhook-sweep', s * 1000, () => this.logSweep());
      this.jobs.exclusive('webhook-prune', PRUNE_INTERVAL_MS, () => this.logPrune());
    }
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
    const cutoff = new Date(this.clock.nowMs() - retentionDays * 86_400_000);
    let deliveries = 0;
    for (;;) {
      const n = await this.deliveries.pruneDelivered(cutoff, batchSize);
      deliveries += n;
      if (n < batchSize) break;
    }
    let events = 0;
    for (;;) {
      const n = await this.deliveries.pruneOrphanEvents(cutoff, batchSize);
      events += n;
      if (n < batchSize) break;
    }
    return { deliveries, events };
  }
}

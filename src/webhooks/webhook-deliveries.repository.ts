import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Page, PageQuery, paginate } from '../common/pagination';
import { WebhookAttempt } from './entities/webhook-attempt.entity';
import { DeliveryStatus, WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEvent } from './entities/webhook-event.entity';

const resetRound = (now: string, fifo: string): string =>
  `status = 'pending', round_attempts = 0, round_started_at = NULL, next_attempt_at = ${now}, fifo = ${fifo}, updated_at = now()`;

/** What the delivery log is narrowed to: created in [since, until). */
export interface DeliveryFilter {
  status?: DeliveryStatus;
  eventType?: string;
  since?: Date;
  until?: Date;
}

/**
 * webhook_delivery (and its event and attempts) outside the dispatcher's claim/record path: the delivery log, replay,
 * recover, ordering changes, the sweeper's leases and retention. The dispatcher's batch statements are in
 * dispatch/delivery-batch.*.
 */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** An endpoint's deliveries, newest first. */
  list(teamId: string, endpointId: string, filter: DeliveryFilter, page: PageQuery): Promise<Page<WebhookDelivery>> {
    const qb = this.dataSource
      .getRepository(WebhookDelivery)
      .createQueryBuilder('d')
      .where('d.teamId = :teamId AND d.endpointId = :endpointId', { teamId, endpointId });
    if (filter.status) qb.andWhere('d.status = :status', { status: filter.status });
    if (filter.eventType) qb.andWhere('d.eventType = :eventType', { eventType: filter.eventType });
    if (filter.since) qb.andWhere('d.createdAt >= :since', { since: filter.since });
    if (filter.until) qb.andWhere('d.createdAt < :until', { until: filter.until });
    return paginate(qb, page);
  }

  find(teamId: string, endpointId: string, id: string): Promise<WebhookDelivery | null> {
    return this.dataSource.getRepository(WebhookDelivery).findOneBy({ id, teamId, endpointId });
  }

  /** The delivery's event and its attempts, oldest first (the delivery detail). */
  async eventAndAttempts(eventId: string, deliveryId: string): Promise<[WebhookEvent, WebhookAttempt[]]> {
    return Promise.all([
      this.dataSource.getRepository(WebhookEvent).findOneByOrFail({ id: eventId }),
      this.dataSource.getRepository(WebhookAttempt).find({ where: { deliveryId }, order: { attemptNumber: 'ASC', createdAt: 'ASC' } }),
    ]);
  }

  /** Due again at `now` with a fresh round of retries (any status); a delivery being sent right now is left to finish. */
  async resetOne(deliveryId: string, now: Date, fifo: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_delivery SET ${resetRound('$2', '$3')} WHERE id = $1 AND (status <> 'pending' OR claimed_until IS NULL OR claimed_until < now())`,
      [deliveryId, now, fifo],
    );
  }

  /** Every failed or skipped delivery of the endpoint created in [since, until) due again at `now`; returns how many. */
  async resetFailed(teamId: string, endpointId: string, since: Date, until: Date, now: Date, fifo: boolean): Promise<number> {
    const [, n] = (await this.dataSource.query(
      `UPDATE webhook_delivery SET ${resetRound('$5', '$6')}
       WHERE team_id = $1 AND endpoint_id = $2 AND status IN ('failed', 'skipped') AND created_at >= $3 AND created_at < $4`,
      [teamId, endpointId, since, until, now, fifo],
    )) as [unknown, number];
    return n;
  }

  /** The endpoint's pending deliveries follow its new ordering (in the caller's transaction). */
  async setPendingFifo(em: EntityManager, endpointId: string, fifo: boolean): Promise<void> {
    await em.query(`UPDATE webhook_delivery SET fifo = $2 WHERE endpoint_id = $1 AND status = 'pending'`, [endpointId, fifo]);
  }

  /** A claimed delivery that cannot be signed fails at once (kept for recover), if `claimer` still holds it. */
  async failUnsignable(em: EntityManager, deliveryId: string, claimer: string): Promise<void> {
    await em.query(
      `UPDATE webhook_delivery SET status = 'failed', next_attempt_at = NULL, claimed_until = NULL, claimed_by = NULL, last_error_code = 'SECRET_UNAVAILABLE', updated_at = now()
         WHERE id = $1 AND claimed_by = $2`,
      [deliveryId, claimer],
    );
  }

  /** Leases that ran out are given back; returns how many. */
  async releaseExpiredLeases(): Promise<number> {
    const [, n] = (await this.dataSource.query(
      `UPDATE webhook_delivery SET claimed_until = NULL, claimed_by = NULL WHERE status = 'pending' AND claimed_until < now()`,
    )) as [unknown, number];
    return n;
  }

  /** Deletes up to `batchSize` delivered deliveries older than the retention; returns how many. */
  async pruneDelivered(cutoff: Date, batchSize: number): Promise<number> {
    const [, n] = (await this.dataSource.query(
      `DELETE FROM webhook_delivery WHERE id IN (
           SELECT id FROM webhook_delivery WHERE status = 'delivered' AND delivered_at < $1 LIMIT $2)`,
      [cutoff, batchSize],
    )) as [unknown, number];
    return n;
  }

  /** Deletes up to `batchSize` events older than the retention that have no delivery left; returns how many. */
  async pruneOrphanEvents(cutoff: Date, batchSize: number): Promise<number> {
    const [, n] = (await this.dataSource.query(
      `DELETE FROM webhook_event WHERE id IN (
           SELECT e.id FROM webhook_event e
           WHERE e.created_at < $1
             AND NOT EXISTS (
               -- an event's deliveries: its team's endpoints, at its created_at (the (endpoint_id, created_at) index)
               SELECT 1 FROM webhook_endpoint ep JOIN webhook_delivery d ON d.endpoint_id = ep.id AND d.created_at = e.created_at
               WHERE ep.team_id = e.team_id AND d.event_id = e.id)
           LIMIT $2)`,
      [cutoff, batchSize],
    )) as [unknown, number];
    return n;
  }
}

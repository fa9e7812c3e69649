import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { OutboundResult } from '../../http/outbound-http-client';
import { NotificationsService } from '../../notifications/notifications.service';
import type { ClaimedDelivery } from './delivery-batch.repository';
import { EndpointChange, describeResult } from './delivery-outcome';

/**
 * The endpoint state machine driven by deliveries: failing → active on a success, any → disabled on 410, active →
 * failing when a delivery runs out of retries or the secret cannot be decrypted. One notification per change.
 */
@Injectable()
export class EndpointStatusService {
  private readonly logger = new Logger('WebhookDispatcher');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: NotificationsService,
  ) {}

  async apply(em: EntityManager, d: ClaimedDelivery, change: EndpointChange, result: OutboundResult): Promise<void> {
    const { teamId, endpointId } = d;
    if (change === 'recovered') {
      const [, n] = (await em.query(`UPDATE webhook_endpoint SET status = 'active', status_reason = NULL, updated_at = now() WHERE id = $1 AND status = 'failing'`, [
        endpointId,
      ])) as [unknown, number];
      if (n) this.logger.log({ teamId, endpointId }, 'webhook endpoint recovered: a delivery succeeded');
      return;
    }
    if (change === 'gone') {
      const reason = 'the endpoint answered 410 Gone';
      const url = await this.setStatus(em, endpointId, 'disabled', reason, `status <> 'disabled'`);
      if (url) {
        await this.notifications.notify(em, teamId, 'webhook_endpoint.disabled', `Webhook endpoint ${endpointId} (${originOf(url)}) was disabled: ${reason}.`, {
          endpoint_id: endpointId,
          delivery_id: d.id,
        });
      }
      return;
    }
    const reason = `deliveries failed after every retry (last: ${describeResult(result)})`;
    const url = await this.setStatus(em, endpointId, 'failing', reason, `status = 'active'`);
    if (url) {
      await this.notifications.notify(
        em,
        teamId,
        'webhook_endpoint.failing',
        `Webhook endpoint ${endpointId} (${originOf(url)}) is failing: ${reason}. New events are still attempted; use recover to re-send failed deliveries.`,
        { endpoint_id: endpointId, delivery_id: d.id, event_id: d.eventId },
      );
    }
  }

  /**
   * The endpoint's secret cannot be decrypted (its key left ENCRYPTION_KEYS): nothing can be signed, so the delivery
   * fails at once (kept for recover) and the endpoint goes failing with a notification saying to rotate the secret.
   */
  async secretUnavailable(d: ClaimedDelivery, claimer: string, reason: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query(
        `UPDATE webhook_delivery SET status = 'failed', next_attempt_at = NULL, claimed_until = NULL, claimed_by = NULL, last_error_code = 'SECRET_UNAVAILABLE', updated_at = now()
         WHERE id = $1 AND claimed_by = $2`,
        [d.id, claimer],
      );
      const url = await this.setStatus(em, d.endpointId, 'failing', `the signing secret cannot be decrypted (${reason}); rotate the secret`, `status = 'active'`);
      if (url) {
        await this.notifications.notify(
          em,
          d.teamId,
          'webhook_endpoint.failing',
          `Webhook endpoint ${d.endpointId} (${originOf(url)}) cannot sign deliveries: its secret cannot be decrypted (${reason}). Rotate the secret, then recover.`,
          { endpoint_id: d.endpointId, delivery_id: d.id },
        );
      }
    });
    this.logger.error({ teamId: d.teamId, endpointId: d.endpointId, deliveryId: d.id }, `webhook secret cannot be decrypted: ${reason}`);
  }

  /** Returns the endpoint's URL when its status changed (the caller notifies), undefined when it was already so. */
  private async setStatus(em: EntityManager, endpointId: string, status: 'failing' | 'disabled', reason: string, from: string): Promise<string | undefined> {
    const [changed] = (await em.query(`UPDATE webhook_endpoint SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1 AND ${from} RETURNING url`, [
      endpointId,
      status,
      reason,
    ])) as [{ url: string }[], number];
    return changed[0]?.url;
  }
}

/** Scheme and host only: an endpoint's path or query may itself be a credential (as in Slack incoming-webhook URLs). */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid URL';
  }
}

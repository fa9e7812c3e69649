import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { OutboundResult } from '../../http/outbound-http-client';
import { NotificationsService } from '../../notifications/notifications.service';
import { WebhookDeliveriesRepository } from '../webhook-deliveries.repository';
import { WebhookEndpointsRepository } from '../webhook-endpoints.repository';
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
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {}

  async apply(em: EntityManager, d: ClaimedDelivery, change: EndpointChange, result: OutboundResult): Promise<void> {
    const { teamId, endpointId } = d;
    if (change === 'recovered') {
      if (await this.endpoints.markRecovered(em, endpointId)) this.logger.log({ teamId, endpointId }, 'webhook endpoint recovered: a delivery succeeded');
      return;
    }
    if (change === 'gone') {
      const reason = 'the endpoint answered 410 Gone';
      const url = await this.endpoints.setStatus(em, endpointId, 'disabled', reason, 'notDisabled');
      if (url) {
        await this.notifications.notify(em, teamId, 'webhook_endpoint.disabled', `Webhook endpoint ${endpointId} (${originOf(url)}) was disabled: ${reason}.`, {
          endpoint_id: endpointId,
          delivery_id: d.id,
        });
      }
      return;
    }
    const reason = `deliveries failed after every retry (last: ${describeResult(result)})`;
    const url = await this.endpoints.setStatus(em, endpointId, 'failing', reason, 'active');
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
      await this.deliveries.failUnsignable(em, d.id, claimer);
      const url = await this.endpoints.setStatus(em, d.endpointId, 'failing', `the signing secret cannot be decrypted (${reason}); rotate the secret`, 'active');
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
}

/** Scheme and host only: an endpoint's path or query may itself be a credential (as in Slack incoming-webhook URLs). */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid URL';
  }
}

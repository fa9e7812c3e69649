import { Injectable } from '@nestjs/common';
import { Conflict, NotFound, ValidationFailed } from '../common/errors';
import { Page } from '../common/pagination';
import { DeliveryWakeup } from './delivery-wakeup';
import { DeliveryListQuery, RecoverDto } from './dto/webhook.dto';
import { DeliveryStatus, WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { Clock } from '../common/clock';

export interface DeliveryView {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastErrorCode: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

export interface AttemptView {
  attemptNumber: number;
  at: Date;
  requestHeaders: Record<string, string>;
  statusCode: number | null;
  responseBody: string | null;
  durationMs: number;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface DeliveryDetailView extends DeliveryView {
  /** The envelope exactly as it is sent. */
  event: { id: string; type: string; timestamp: Date; team_id: string; data: Record<string, unknown> };
  attempts: AttemptView[];
}

/**
 * Starts a new round of the schedule now (attempt numbers keep counting), in the endpoint's current ordering.
 * The dispatchers are woken after the statement: marking rows due is all a replay or a recover does, so a recovered
 * backlog goes out as fast as any other.
 */
/** The delivery log and replay. */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    private readonly repo: WebhookDeliveriesRepository,
    private readonly endpoints: WebhookEndpointsService,
    private readonly wakeup: DeliveryWakeup,
    private readonly clock: Clock,
  ) {}

  async list(teamId: string, endpointId: string, query: DeliveryListQuery): Promise<Page<DeliveryView>> {
    await this.endpoints.find(teamId, endpointId);
    const since = query.since ? new Date(query.since) : undefined;
    const until = query.until ? new Date(query.until) : undefined;
    if (since && until && since >= until) throw new ValidationFailed('since must be before until', [{ field: 'since', messages: ['since must be before until'] }]);
    const page = await this.repo.list(teamId, endpointId, { status: query.status, eventType: query.eventType, since, until }, query);
    return { data: page.data.map(deliveryView), nextCursor: page.nextCursor };
  }

  async get(teamId: string, endpointId: string, deliveryId: string): Promise<DeliveryDetailView> {
    const d = await this.find(teamId, endpointId, deliveryId);
    const [event, attempts] = await this.repo.eventAndAttempts(d.eventId, deliveryId);
    return {
      ...deliveryView(d),
      event: { id: event.id, type: event.type, timestamp: event.createdAt, team_id: event.teamId, data: event.data },
      attempts: attempts.map((a) => ({
        attemptNumber: a.attemptNumber,
        at: a.createdAt,
        requestHeaders: a.requestHeaders,
        statusCode: a.statusCode,
        responseBody: a.responseBody,
        durationMs: a.durationMs,
        errorCode: a.errorCode,
        errorMessage: a.errorMessage,
      })),
    };
  }

  /** Sends the delivery again now (any status: a delivered one is replayed), with the same webhook-id. */
  async retry(teamId: string, endpointId: string, deliveryId: string): Promise<DeliveryView> {
    const endpoint = await this.endpoints.find(teamId, endpointId);
    if (endpoint.status === 'disabled') throw new Conflict('this webhook endpoint is disabled; enable it (PATCH {"enabled": true}) first');
    await this.find(teamId, endpointId, deliveryId);
    await this.repo.resetOne(deliveryId, this.clock.now(), endpoint.ordering === 'fifo'); // a delivery being sent right now is left to finish
    this.wakeup.signal();
    return deliveryView(await this.find(teamId, endpointId, deliveryId));
  }

  /** Re-sends every failed or skipped delivery of the endpoint created in [since, until). */
  async recover(teamId: string, endpointId: string, dto: RecoverDto): Promise<{ recovered: number }> {
    const endpoint = await this.endpoints.find(teamId, endpointId);
    if (endpoint.status === 'disabled') throw new Conflict('this webhook endpoint is disabled; enable it (PATCH {"enabled": true}) first');
    const since = new Date(dto.since);
    const until = dto.until ? new Date(dto.until) : this.clock.now();
    if (since >= until) throw new ValidationFailed('since must be before until', [{ field: 'since', messages: ['since must be before until'] }]);
    const recovered = await this.repo.resetFailed(teamId, endpointId, since, until, this.clock.now(), endpoint.ordering === 'fifo');
    if (recovered) this.wakeup.signal();
    return { recovered };
  }

  private async find(teamId: string, endpointId: string, id: string): Promise<WebhookDelivery> {
    const d = await this.repo.find(teamId, endpointId, id);
    if (!d) throw new NotFound('delivery');
    return d;
  }
}

function deliveryView(d: WebhookDelivery): DeliveryView {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attemptCount: d.attemptCount,
    nextAttemptAt: d.nextAttemptAt,
    lastAttemptAt: d.lastAttemptAt,
    lastStatusCode: d.lastStatusCode,
    lastErrorCode: d.lastErrorCode,
    deliveredAt: d.deliveredAt,
    createdAt: d.createdAt,
  };
}

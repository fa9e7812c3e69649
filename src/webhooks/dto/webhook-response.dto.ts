import { ApiProperty } from '@nestjs/swagger';
import type { EventTypeInfo } from '../../events/event-type';
import { EVENT_TYPES } from '../../integrations/event-catalog';
import { DELIVERY_STATUSES, DeliveryStatus } from '../entities/webhook-delivery.entity';
import { ENDPOINT_ORDERINGS, ENDPOINT_STATUSES, EndpointOrdering, EndpointStatus } from '../entities/webhook-endpoint.entity';
import type { AttemptView, DeliveryDetailView, DeliveryView } from '../webhook-deliveries.service';
import type { WebhookEndpointView, WebhookEndpointWithSecret } from '../webhook-endpoints.service';

export class WebhookEndpointResponse implements WebhookEndpointView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty({ example: 'https://hooks.example.com/switchboard' }) url: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...EVENT_TYPES] }, nullable: true, description: 'null = every event type' })
  eventTypes: string[] | null;
  @ApiProperty({ description: 'false when disabled (by you, or by a 410 Gone)' }) enabled: boolean;
  @ApiProperty({ enum: ENDPOINT_STATUSES, enumName: 'WebhookEndpointStatus' }) status: EndpointStatus;
  @ApiProperty({ type: String, nullable: true, description: 'Why the endpoint is failing or disabled' }) statusReason: string | null;
  @ApiProperty({ type: Date, nullable: true, description: 'While in the future, deliveries carry a second signature made with the previous secret' })
  previousSecretExpiresAt: Date | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Deliveries per second at most to this endpoint (null = no limit); beyond it they wait their turn' })
  rateLimitPerSecond: number | null;
  @ApiProperty({ enum: ENDPOINT_ORDERINGS, enumName: 'WebhookEndpointOrdering', description: '`fifo`: one delivery at a time, in event order' })
  ordering: EndpointOrdering;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class WebhookEndpointWithSecretResponse extends WebhookEndpointResponse implements WebhookEndpointWithSecret {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'The signing secret — shown only in this response' })
  secret: string;
}

export class WebhookTestResponse {
  @ApiProperty({ example: 'evt_01kaq3…', description: 'The `webhook.test` event (also the `webhook-id` header)' }) eventId: string;
  @ApiProperty({ format: 'uuid' }) deliveryId: string;
}

export class RecoverResponse {
  @ApiProperty({ type: 'integer', description: 'How many failed or skipped deliveries were queued again' }) recovered: number;
}

export class DeliveryResponse implements DeliveryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) endpointId: string;
  @ApiProperty({ example: 'evt_01kaq3…' }) eventId: string;
  @ApiProperty({ enum: [...EVENT_TYPES], enumName: 'WebhookEventType' }) eventType: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, enumName: 'DeliveryStatus' }) status: DeliveryStatus;
  @ApiProperty({ type: 'integer' }) attemptCount: number;
  @ApiProperty({ type: Date, nullable: true }) nextAttemptAt: Date | null;
  @ApiProperty({ type: Date, nullable: true }) lastAttemptAt: Date | null;
  @ApiProperty({ type: 'integer', nullable: true }) lastStatusCode: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'TIMEOUT', description: 'TIMEOUT, DNS, CONNREFUSED, TLS, SSRF_BLOCKED, NETWORK, SECRET_UNAVAILABLE' })
  lastErrorCode: string | null;
  @ApiProperty({ type: Date, nullable: true }) deliveredAt: Date | null;
  @ApiProperty() createdAt: Date;
}

export class EventEnvelopeResponse {
  @ApiProperty({ example: 'evt_01kaq3…' }) id: string;
  @ApiProperty({ enum: [...EVENT_TYPES], enumName: 'WebhookEventType' }) type: string;
  @ApiProperty() timestamp: Date;
  @ApiProperty({ format: 'uuid' }) team_id: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
}

export class AttemptResponse implements AttemptView {
  @ApiProperty({ type: 'integer' }) attemptNumber: number;
  @ApiProperty() at: Date;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'The request headers sent (signatures, never secrets)' })
  requestHeaders: Record<string, string>;
  @ApiProperty({ type: 'integer', nullable: true }) statusCode: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'The first 4 KB of the response body' }) responseBody: string | null;
  @ApiProperty({ type: 'integer' }) durationMs: number;
  @ApiProperty({ type: String, nullable: true }) errorCode: string | null;
  @ApiProperty({ type: String, nullable: true }) errorMessage: string | null;
}

export class DeliveryDetailResponse extends DeliveryResponse implements DeliveryDetailView {
  @ApiProperty({ type: EventEnvelopeResponse, description: 'The envelope exactly as it is sent' }) event: EventEnvelopeResponse;
  @ApiProperty({ type: [AttemptResponse] }) attempts: AttemptResponse[];
}

export class EventTypeResponse implements EventTypeInfo {
  @ApiProperty({ enum: [...EVENT_TYPES], enumName: 'WebhookEventType' }) type: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'An example of the envelope’s `data`' }) example: Record<string, unknown>;
  @ApiProperty({ description: 'Whether something emits this type today' }) emitted: boolean;
}

export class EventTypeListResponse {
  @ApiProperty({ type: [EventTypeResponse] }) data: EventTypeResponse[];
}


import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { EVENT_TYPES } from '../../integrations/event-catalog';
import { DELIVERY_STATUSES, DeliveryStatus } from '../entities/webhook-delivery.entity';
import { ENDPOINT_ORDERINGS, EndpointOrdering } from '../entities/webhook-endpoint.entity';

const TYPES_MESSAGE = `eventTypes: each value must be one of: ${EVENT_TYPES.join(', ')}`;
export const MAX_RATE_LIMIT = 10_000;
const RATE_MESSAGE = `rateLimitPerSecond must be an integer from 1 to ${MAX_RATE_LIMIT}`;
const RATE_DOC =
  'At most this many deliveries start per second, across every worker; more wait their turn (none is dropped). Absent or null = no limit.';
const ORDERING_DOC =
  '`fifo`: deliveries are attempted one at a time in publish order, and a failing one holds the ones behind it until it succeeds or runs out of retries. `none` (default): concurrently, in any order.';
const ORDERING_MESSAGE = `ordering must be one of: ${ENDPOINT_ORDERINGS.join(', ')}`;

export class CreateWebhookEndpointDto {
  @ApiProperty({ example: 'https://hooks.example.com/switchboard' })
  @IsString({ message: 'url must be a string' })
  @MaxLength(2000, { message: 'url must be at most 2000 characters' })
  url: string;

  @ApiPropertyOptional({ example: 'CRM sync' })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', enum: [...EVENT_TYPES] },
    description: 'Event types to receive; absent = all',
    example: ['message.created', 'agent.status_changed'],
  })
  @IsOptional()
  @IsArray({ message: 'eventTypes must be an array of event types' })
  @ArrayMinSize(1, { message: 'eventTypes must not be empty (omit it to receive every type)' })
  @ArrayMaxSize(EVENT_TYPES.length, { message: 'eventTypes has more entries than there are event types' })
  @ArrayUnique({ message: 'eventTypes must not repeat a type' })
  @IsIn(EVENT_TYPES, { each: true, message: TYPES_MESSAGE })
  eventTypes?: string[];

  @ApiPropertyOptional({ default: true, description: 'false creates the endpoint disabled (its deliveries are recorded as skipped)' })
  @IsOptional()
  @IsBoolean({ message: 'enabled must be a boolean' })
  enabled?: boolean;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: MAX_RATE_LIMIT, example: 50, description: RATE_DOC })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt({ message: RATE_MESSAGE })
  @Min(1, { message: RATE_MESSAGE })
  @Max(MAX_RATE_LIMIT, { message: RATE_MESSAGE })
  rateLimitPerSecond?: number | null;

  @ApiPropertyOptional({ enum: ENDPOINT_ORDERINGS, default: 'none', description: ORDERING_DOC })
  @ValidateIf((_, v) => v !== undefined) // null is refused, not ignored
  @IsIn(ENDPOINT_ORDERINGS, { message: ORDERING_MESSAGE })
  ordering?: EndpointOrdering;
}

export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ example: 'https://hooks.example.com/switchboard' })
  @IsOptional()
  @IsString({ message: 'url must be a string' })
  @MaxLength(2000, { message: 'url must be at most 2000 characters' })
  url?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'null clears it' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString({ message: 'description must be a string' })
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string | null;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', enum: [...EVENT_TYPES] }, nullable: true, description: 'null = every type' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsArray({ message: 'eventTypes must be an array of event types, or null for all' })
  @ArrayMinSize(1, { message: 'eventTypes must not be empty (null receives every type)' })
  @ArrayMaxSize(EVENT_TYPES.length, { message: 'eventTypes has more entries than there are event types' })
  @ArrayUnique({ message: 'eventTypes must not repeat a type' })
  @IsIn(EVENT_TYPES, { each: true, message: TYPES_MESSAGE })
  eventTypes?: string[] | null;

  @ApiPropertyOptional({ description: 'false disables (deliveries recorded as skipped); true re-enables a disabled or failing endpoint' })
  @IsOptional()
  @IsBoolean({ message: 'enabled must be a boolean' })
  enabled?: boolean;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: MAX_RATE_LIMIT, description: `${RATE_DOC} Pending deliveries follow the new limit.` })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt({ message: RATE_MESSAGE })
  @Min(1, { message: RATE_MESSAGE })
  @Max(MAX_RATE_LIMIT, { message: RATE_MESSAGE })
  rateLimitPerSecond?: number | null;

  @ApiPropertyOptional({ enum: ENDPOINT_ORDERINGS, description: `${ORDERING_DOC} Pending deliveries follow the new ordering.` })
  @ValidateIf((_, v) => v !== undefined) // null is refused, not ignored
  @IsIn(ENDPOINT_ORDERINGS, { message: ORDERING_MESSAGE })
  ordering?: EndpointOrdering;
}

export class DeliveryListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, enumName: 'DeliveryStatus' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of: ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;

  @ApiPropertyOptional({ enum: [...EVENT_TYPES], enumName: 'WebhookEventType', example: 'message.created' })
  @IsOptional()
  @IsIn(EVENT_TYPES, { message: `eventType must be one of: ${EVENT_TYPES.join(', ')}` })
  eventType?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Deliveries created at or after (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Deliveries created before (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date-time' })
  until?: string;
}

export class RecoverDto {
  @ApiProperty({ format: 'date-time', description: 'Re-send failed and skipped deliveries created at or after (ISO 8601)' })
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' })
  since: string;

  @ApiPropertyOptional({ format: 'date-time', description: '… and before (ISO 8601; default now)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date-time' })
  until?: string;
}

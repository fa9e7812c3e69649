import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { EVENT_TYPES } from '../../events/event-catalog';
import { DELIVERY_STATUSES, DeliveryStatus } from '../entities/webhook-delivery.entity';

const TYPES_MESSAGE = `eventTypes: each value must be one of: ${EVENT_TYPES.join(', ')}`;

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

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { CONNECTION_STATUSES, ConnectionStatus, Platform } from '../entities/platform-connection.entity';

/**
 * `enumName` makes every platform field one shared schema, whose values the document fills from the connector
 * registry when it is built (src/openapi/openapi.ts). Here, not in the response DTOs: those import the service's view
 * types, which import this file (no module cycle).
 */
export const PLATFORM_PROPERTY = { enum: [] as string[], enumName: 'Platform' } as const;

export class CreateConnectionDto {
  @ApiProperty({ ...PLATFORM_PROPERTY, example: 'telegram' })
  @IsString({ message: 'platform must be a string' }) // which platforms exist is the connector registry's answer
  platform: Platform;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Write-only. What each platform takes is listed when the document is built (src/openapi/openapi.ts)',
    example: { botToken: '123456:ABC-DEF' },
  })
  @IsObject({ message: 'credentials must be an object' })
  credentials: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Non-secret, per-platform options (listed when the document is built)',
    example: { mode: 'polling' },
  })
  @IsOptional()
  @IsObject({ message: 'settings must be an object' })
  settings?: Record<string, unknown>;
}

export class UpdateConnectionDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Replaces the settings (validated per platform)' })
  @IsOptional()
  @IsObject({ message: 'settings must be an object' })
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: ['active', 'paused'], description: '`paused` stops processing; `active` resumes (re-checks the credentials)' })
  @IsOptional()
  @IsIn(['active', 'paused'], { message: 'status must be one of: active, paused' })
  status?: 'active' | 'paused';

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Write-only. Replaces the credentials; checked with the platform first.' })
  @IsOptional()
  @IsObject({ message: 'credentials must be an object' })
  credentials?: Record<string, unknown>;
}

export class ConnectionListQuery extends PageQuery {
  @ApiPropertyOptional(PLATFORM_PROPERTY)
  @IsOptional()
  @IsString({ message: 'platform must be a string' }) // checked against the connector registry
  platform?: Platform;

  @ApiPropertyOptional({ enum: CONNECTION_STATUSES, enumName: 'ConnectionStatus' })
  @IsOptional()
  @IsIn(CONNECTION_STATUSES, { message: `status must be one of: ${CONNECTION_STATUSES.join(', ')}` })
  status?: ConnectionStatus;
}

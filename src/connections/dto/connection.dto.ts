import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { CONNECTION_STATUSES, ConnectionStatus, PLATFORMS, Platform } from '../entities/platform-connection.entity';

export class CreateConnectionDto {
  @ApiProperty({ enum: PLATFORMS, example: 'telegram' })
  @IsIn(PLATFORMS, { message: `platform must be one of: ${PLATFORMS.join(', ')}` })
  platform: Platform;

  @ApiProperty({
    description:
      'Write-only. Telegram {botToken}; Slack {botToken, signingSecret, appToken?}; GitHub {token} or {appId, privateKey, installationId}, plus webhookSecret? (generated when absent)',
    example: { botToken: '123456:ABC-DEF' },
  })
  @IsObject({ message: 'credentials must be an object' })
  credentials: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Non-secret, per-platform options', example: {} })
  @IsOptional()
  @IsObject({ message: 'settings must be an object' })
  settings?: Record<string, unknown>;
}

export class UpdateConnectionDto {
  @ApiPropertyOptional({ description: 'Replaces the settings (validated per platform)' })
  @IsOptional()
  @IsObject({ message: 'settings must be an object' })
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: ['active', 'paused'], description: '`paused` stops processing; `active` resumes (re-checks the credentials)' })
  @IsOptional()
  @IsIn(['active', 'paused'], { message: 'status must be one of: active, paused' })
  status?: 'active' | 'paused';

  @ApiPropertyOptional({ description: 'Write-only. Replaces the credentials; checked with the platform first.' })
  @IsOptional()
  @IsObject({ message: 'credentials must be an object' })
  credentials?: Record<string, unknown>;
}

export class ConnectionListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PLATFORMS })
  @IsOptional()
  @IsIn(PLATFORMS, { message: `platform must be one of: ${PLATFORMS.join(', ')}` })
  platform?: Platform;

  @ApiPropertyOptional({ enum: CONNECTION_STATUSES })
  @IsOptional()
  @IsIn(CONNECTION_STATUSES, { message: `status must be one of: ${CONNECTION_STATUSES.join(', ')}` })
  status?: ConnectionStatus;
}

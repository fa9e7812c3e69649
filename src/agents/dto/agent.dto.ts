import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { PageQuery } from '../../common/pagination';
import { AGENT_STATUSES, AgentStatus } from '../entities/agent.entity';

export const RUNTIME_TYPES = ['echo'] as const;

export class RuntimeDto {
  @ApiProperty({ enum: RUNTIME_TYPES, example: 'echo' })
  @IsIn(RUNTIME_TYPES, { message: `runtime.type must be one of: ${RUNTIME_TYPES.join(', ')}` })
  type: (typeof RUNTIME_TYPES)[number];
}

export class CreateAgentDto {
  @ApiProperty({ example: 'Support bot' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ description: 'Unique per team; generated from the name when absent', example: 'support-bot' })
  @IsOptional()
  @Matches(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'slug must be lower-case letters, digits and single dashes' })
  @MaxLength(100)
  slug?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ enum: AGENT_STATUSES, default: 'active' })
  @IsOptional()
  @IsIn(AGENT_STATUSES, { message: `status must be one of: ${AGENT_STATUSES.join(', ')}` })
  status?: AgentStatus;

  @ApiPropertyOptional({ type: RuntimeDto, default: { type: 'echo' } })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RuntimeDto)
  runtime?: RuntimeDto;
}

export class UpdateAgentDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'slug must be lower-case letters, digits and single dashes' })
  @MaxLength(100)
  slug?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ enum: AGENT_STATUSES })
  @IsOptional()
  @IsIn(AGENT_STATUSES, { message: `status must be one of: ${AGENT_STATUSES.join(', ')}` })
  status?: AgentStatus;

  @ApiPropertyOptional({ type: RuntimeDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RuntimeDto)
  runtime?: RuntimeDto;
}

export class AgentListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: AGENT_STATUSES })
  @IsOptional()
  @IsIn(AGENT_STATUSES, { message: `status must be one of: ${AGENT_STATUSES.join(', ')}` })
  status?: AgentStatus;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { AGENT_STATUSES, AgentStatus } from '../entities/agent.entity';

const RUNTIME_DOC = {
  description:
    'How the agent replies. {"type":"echo"} (default); {"type":"openai","baseUrl","model","apiKey?","systemPrompt?","temperature?","historyMessages?","stream?","offerActions?"}; ' +
    '{"type":"http","url","secret?","timeoutMs?"} (secret generated when absent and shown once; the URL may answer JSON or stream server-sent events). Secrets are write-only.',
  example: { type: 'echo' },
};

const TRANSCRIPTION_DOC = {
  description:
    'Speech-to-text for voice notes and audio: {"baseUrl","model","apiKey?"} — an OpenAI-compatible POST {baseUrl}/audio/transcriptions. ' +
    'The key is write-only (shown masked); leave it out or send the hint back to keep it. null removes transcription.',
  example: { baseUrl: 'https://api.openai.com/v1', model: 'whisper-1', apiKey: 'sk-…' },
  nullable: true,
  type: 'object' as const,
  additionalProperties: true,
};

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

  @ApiPropertyOptional(RUNTIME_DOC)
  @IsOptional()
  @IsObject({ message: 'runtime must be an object' })
  runtime?: Record<string, unknown>;

  @ApiPropertyOptional(TRANSCRIPTION_DOC)
  @IsOptional()
  @IsObject({ message: 'transcription must be an object (or null)' })
  transcription?: Record<string, unknown> | null;
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

  @ApiPropertyOptional(RUNTIME_DOC)
  @IsOptional()
  @IsObject({ message: 'runtime must be an object' })
  runtime?: Record<string, unknown>;

  @ApiPropertyOptional(TRANSCRIPTION_DOC)
  @IsOptional()
  @IsObject({ message: 'transcription must be an object (or null)' })
  transcription?: Record<string, unknown> | null;
}

export class AgentListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: AGENT_STATUSES })
  @IsOptional()
  @IsIn(AGENT_STATUSES, { message: `status must be one of: ${AGENT_STATUSES.join(', ')}` })
  status?: AgentStatus;
}

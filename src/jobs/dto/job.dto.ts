import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmptyObject, IsOptional, IsString, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { MessageTargetDto } from '../../conversations/dto/proactive-message.dto';
import { JOB_RUN_STATUSES, JobRunStatus } from '../entities/agent-job-run.entity';

const SCHEDULE_DOC =
  'Cron, 5 fields (`minute hour day-of-month month day-of-week`, e.g. `0 9 * * 1-5`) or 6 with seconds first (`*/30 * * * * *`), read in `timezone`.';

export class CreateJobDto {
  @ApiProperty({ example: 'Morning summary' })
  @IsString({ message: 'name must be a string' })
  @Matches(/\S/, { message: 'name must not be empty' })
  @MaxLength(200, { message: 'name must be at most 200 characters' })
  name: string;

  @ApiProperty({ example: '0 9 * * 1-5', description: SCHEDULE_DOC })
  @IsString({ message: 'schedule must be a string' })
  @MaxLength(200, { message: 'schedule must be at most 200 characters' })
  schedule: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin', default: 'UTC', description: 'IANA time zone' })
  @IsOptional()
  @IsString({ message: 'timezone must be a string' })
  @MaxLength(64, { message: 'timezone must be at most 64 characters' })
  timezone?: string;

  @ApiProperty({ example: 'Summarize yesterday’s open support tickets in five bullet points.', description: 'What the agent is asked at each run' })
  @IsString({ message: 'prompt must be a string' })
  @Matches(/\S/, { message: 'prompt must not be empty' })
  @MaxLength(20000, { message: 'prompt must be at most 20000 characters' })
  prompt: string;

  @ApiPropertyOptional({ type: MessageTargetDto, nullable: true, description: "Where the reply is sent (a chat of one of this agent's connections); absent = only recorded in the run" })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNotEmptyObject({}, { message: 'deliverTo must be an object {connectionId, chatId, threadId?}' })
  @ValidateNested()
  @Type(() => MessageTargetDto)
  deliverTo?: MessageTargetDto | null;

  @ApiPropertyOptional({ default: true, description: 'false: the schedule does not run (POST …/run still does)' })
  @IsOptional()
  @IsBoolean({ message: 'enabled must be a boolean' })
  enabled?: boolean;
}

export class UpdateJobDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'name must be a string' })
  @Matches(/\S/, { message: 'name must not be empty' })
  @MaxLength(200, { message: 'name must be at most 200 characters' })
  name?: string;

  @ApiPropertyOptional({ description: SCHEDULE_DOC })
  @IsOptional()
  @IsString({ message: 'schedule must be a string' })
  @MaxLength(200, { message: 'schedule must be at most 200 characters' })
  schedule?: string;

  @ApiPropertyOptional({ description: 'IANA time zone' })
  @IsOptional()
  @IsString({ message: 'timezone must be a string' })
  @MaxLength(64, { message: 'timezone must be at most 64 characters' })
  timezone?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'prompt must be a string' })
  @Matches(/\S/, { message: 'prompt must not be empty' })
  @MaxLength(20000, { message: 'prompt must be at most 20000 characters' })
  prompt?: string;

  @ApiPropertyOptional({ type: MessageTargetDto, nullable: true, description: 'null stops sending the reply anywhere' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNotEmptyObject({}, { message: 'deliverTo must be an object {connectionId, chatId, threadId?} or null' })
  @ValidateNested()
  @Type(() => MessageTargetDto)
  deliverTo?: MessageTargetDto | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: 'enabled must be a boolean' })
  enabled?: boolean;
}

export class JobRunListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: JOB_RUN_STATUSES })
  @IsOptional()
  @IsIn(JOB_RUN_STATUSES, { message: `status must be one of: ${JOB_RUN_STATUSES.join(', ')}` })
  status?: JobRunStatus;
}

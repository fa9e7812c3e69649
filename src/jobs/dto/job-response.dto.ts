import { ApiProperty } from '@nestjs/swagger';
import { JOB_RUN_STATUSES, JOB_RUN_TRIGGERS, JobRunStatus, JobRunTrigger } from '../entities/agent-job-run.entity';

export class JobTargetResponse {
  @ApiProperty({ format: 'uuid' }) connectionId: string;
  @ApiProperty() chatId: string;
  @ApiProperty({ type: String, nullable: true }) threadId: string | null;
}

export class JobResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty({ format: 'uuid' }) agentId: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: '0 9 * * 1-5' }) schedule: string;
  @ApiProperty({ example: 'Europe/Berlin' }) timezone: string;
  @ApiProperty() prompt: string;
  @ApiProperty({ type: JobTargetResponse, nullable: true }) deliverTo: JobTargetResponse | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: Date, nullable: true, description: 'The next occurrence (null while disabled)' }) nextRunAt: Date | null;
  @ApiProperty({ type: Date, nullable: true, description: 'The last scheduled occurrence that ran' }) lastRunAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class JobRunResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) jobId: string;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty({ format: 'uuid' }) agentId: string;
  @ApiProperty({ description: 'The occurrence this run is for (the request time for `manual`)' }) scheduledFor: Date;
  @ApiProperty({ enum: JOB_RUN_TRIGGERS, enumName: 'JobRunTrigger' }) trigger: JobRunTrigger;
  @ApiProperty({ enum: JOB_RUN_STATUSES, enumName: 'JobRunStatus', description: '`pending` (waiting for a worker) → `running` → `completed` | `failed`' })
  status: JobRunStatus;
  @ApiProperty({ type: String, nullable: true, description: "The agent's reply" }) reply: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the run failed' }) error: string | null;
  @ApiProperty({ description: 'Runtime calls made (transient failures are retried)' }) attempts: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "The run's own conversation (prompt and reply, platform `api`)" }) conversationId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The stored reply in that conversation' }) messageId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The reply as stored in the `deliverTo` chat’s conversation once sent' })
  deliveredMessageId: string | null;
  @ApiProperty({ type: Date, nullable: true }) startedAt: Date | null;
  @ApiProperty({ type: Date, nullable: true }) finishedAt: Date | null;
  @ApiProperty({ type: Number, nullable: true }) durationMs: number | null;
  @ApiProperty() createdAt: Date;
}

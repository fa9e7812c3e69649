import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AgentJob } from './agent-job.entity';

export const JOB_RUN_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
export type JobRunStatus = (typeof JOB_RUN_STATUSES)[number];
export const JOB_RUN_TRIGGERS = ['schedule', 'manual'] as const;
export type JobRunTrigger = (typeof JOB_RUN_TRIGGERS)[number];

/**
 * One occurrence of a job. Scheduled runs are inserted `running` by the worker that runs them, `ON CONFLICT (job_id,
 * scheduled_for) DO NOTHING`: the one insert that succeeds decides who runs the occurrence. `POST …/run` inserts a
 * `pending` run that a worker claims (SKIP LOCKED).
 */
@Entity('agent_job_run')
@Index(['jobId', 'scheduledFor'], { unique: true })
@Index(['jobId', 'createdAt'])
@Index('agent_job_run_pending', ['createdAt'], { where: "status = 'pending'" })
export class AgentJobRun {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') jobId: string;
  @Column('uuid') teamId: string;
  @Column('uuid') agentId: string;
  /** The occurrence this run is for (the request time for a manual run). */
  @Column({ type: 'timestamptz', precision: 3 }) scheduledFor: Date;
  @Column({ type: 'enum', enum: JOB_RUN_TRIGGERS, enumName: 'agent_job_run_trigger' }) trigger: JobRunTrigger;
  @Column({ type: 'enum', enum: JOB_RUN_STATUSES, enumName: 'agent_job_run_status' }) status: JobRunStatus;
  @Column({ type: 'text', nullable: true }) reply: string | null;
  @Column({ type: 'text', nullable: true }) error: string | null;
  /** Runtime calls made (transient failures are retried). */
  @Column({ type: 'int', default: 0 }) attempts: number;
  /** The job's conversation (prompt and reply) and the stored reply. */
  @Column({ type: 'uuid', nullable: true }) conversationId: string | null;
  @Column({ type: 'uuid', nullable: true }) messageId: string | null;
  /** The copy of the reply stored in the `deliverTo` chat's conversation once it was sent. */
  @Column({ type: 'uuid', nullable: true }) deliveredMessageId: string | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) startedAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) finishedAt: Date | null;
  @Column({ type: 'int', nullable: true }) durationMs: number | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;

  @ManyToOne(() => AgentJob, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'job_id' }) job?: AgentJob;
}

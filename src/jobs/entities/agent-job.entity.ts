import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Agent } from '../../agents/entities/agent.entity';
import { Team } from '../../teams/entities/team.entity';

/** Where a job's reply goes: a chat (and thread) of one of the agent's connections. */
export interface JobTarget {
  connectionId: string;
  chatId: string;
  threadId: string | null;
}

/**
 * A prompt an agent answers on a cron schedule. `next_run_at` is the next occurrence nobody has run yet: workers run
 * the jobs whose next_run_at has come, and the agent_job_run row (unique on job + occurrence) decides which worker.
 */
@Entity('agent_job')
@Index(['agentId', 'createdAt'])
@Index('agent_job_due', ['nextRunAt'], { where: 'enabled' })
export class AgentJob {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') teamId: string;
  @Column('uuid') agentId: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  /** Cron: 5 fields (minute precision) or 6 (seconds first). */
  @Column({ type: 'varchar', length: 200 }) schedule: string;
  /** IANA time zone the schedule is read in. */
  @Column({ type: 'varchar', length: 64 }) timezone: string;
  @Column({ type: 'text' }) prompt: string;
  @Column({ type: 'jsonb', nullable: true }) deliverTo: JobTarget | null;
  @Column({ type: 'boolean', default: true }) enabled: boolean;
  /** Null while disabled. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) nextRunAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) lastRunAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;

  @ManyToOne(() => Team, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'team_id' }) team?: Team;
  @ManyToOne(() => Agent, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'agent_id' }) agent?: Agent;
}

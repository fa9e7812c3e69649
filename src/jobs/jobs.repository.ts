import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { Page, PageQuery, paginate } from '../common/pagination';
import { AgentJob } from './entities/agent-job.entity';
import { AgentJobRun, JobRunStatus } from './entities/agent-job-run.entity';

/** What a finished run records. */
export interface RunOutcome {
  status: 'completed' | 'failed';
  reply?: string | null;
  error?: string | null;
  attempts: number;
  conversationId?: string | null;
  messageId?: string | null;
  deliveredMessageId?: string | null;
}

const RUN_COLUMNS = `id, job_id, team_id, agent_id, scheduled_for, trigger, status, reply, error, attempts, conversation_id, message_id,
  delivered_message_id, started_at, finished_at, duration_ms, created_at`;

/** The SQL of agent jobs and their runs. */
@Injectable()
export class JobsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(AgentJob) private readonly jobs: Repository<AgentJob>,
    @InjectRepository(AgentJobRun) private readonly runs: Repository<AgentJobRun>,
  ) {}

  // ---- jobs ---------------------------------------------------------------------------------------------------

  create(job: Partial<AgentJob>): Promise<AgentJob> {
    return this.jobs.save(this.jobs.create(job));
  }

  save(job: AgentJob): Promise<AgentJob> {
    return this.jobs.save(job);
  }

  find(teamId: string, agentId: string, id: string): Promise<AgentJob | null> {
    return this.jobs.findOneBy({ id, teamId, agentId });
  }

  findById(id: string): Promise<AgentJob | null> {
    return this.jobs.findOneBy({ id });
  }

  list(teamId: string, agentId: string, query: PageQuery): Promise<Page<AgentJob>> {
    return paginate(this.jobs.createQueryBuilder('j').where('j.teamId = :teamId AND j.agentId = :agentId', { teamId, agentId }), query);
  }

  async remove(teamId: string, agentId: string, id: string): Promise<boolean> {
    const r = await this.jobs.delete({ id, teamId, agentId });
    return !!r.affected;
  }

  // ---- scheduling ---------------------------------------------------------------------------------------------

  /** Enabled jobs whose next occurrence has come, oldest first (keyset on next_run_at, id: `after` is the previous page's last). */
  due(now: Date, limit: number, after?: Pick<AgentJob, 'nextRunAt' | 'id'>): Promise<AgentJob[]> {
    const qb = this.jobs.createQueryBuilder('j').where('j.enabled AND j.nextRunAt <= :now', { now });
    if (after) qb.andWhere('(j.nextRunAt, j.id) > (:afterAt, :afterId)', { afterAt: after.nextRunAt, afterId: after.id });
    return qb.orderBy('j.nextRunAt', 'ASC').addOrderBy('j.id', 'ASC').limit(limit).getMany();
  }

  /**
   * Claims the occurrence `scheduledFor` of `job` and moves its next_run_at to `next`, in one statement. The run row is
   * unique on (job, occurrence): of any number of workers trying, exactly one gets the row back and runs it.
   */
  async claimOccurrence(job: AgentJob, scheduledFor: Date, next: Date): Promise<AgentJobRun | undefined> {
    const rows = (await this.dataSource.query(
      `WITH claimed AS (
         INSERT INTO agent_job_run (job_id, team_id, agent_id, scheduled_for, trigger, status, started_at)
         VALUES ($1, $2, $3, $4, 'schedule', 'running', now())
         ON CONFLICT (job_id, scheduled_for) DO NOTHING
         RETURNING ${RUN_COLUMNS}
       ), moved AS (
         UPDATE agent_job SET next_run_at = $5, last_run_at = $4 WHERE id = $1 AND enabled AND next_run_at = $4
       )
       SELECT * FROM claimed`,
      [job.id, job.teamId, job.agentId, scheduledFor, next],
    )) as Record<string, unknown>[];
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  /** `POST …/run`: a run any worker picks up. */
  async insertManualRun(job: AgentJob): Promise<AgentJobRun> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO agent_job_run (job_id, team_id, agent_id, scheduled_for, trigger, status)
       VALUES ($1, $2, $3, clock_timestamp(), 'manual', 'pending') RETURNING ${RUN_COLUMNS}`,
      [job.id, job.teamId, job.agentId],
    )) as Record<string, unknown>[];
    return toRun(row);
  }

  /** Takes up to `limit` pending manual runs (SKIP LOCKED: no two workers take the same one). */
  async claimPending(limit: number): Promise<AgentJobRun[]> {
    // an UPDATE answers [rows, count] through TypeORM
    const [rows] = (await this.dataSource.query(
      `UPDATE agent_job_run SET status = 'running', started_at = now()
       WHERE id IN (SELECT id FROM agent_job_run WHERE status = 'pending' ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT $1)
       RETURNING ${RUN_COLUMNS}`,
      [limit],
    )) as [Record<string, unknown>[], number];
    return rows.map(toRun);
  }

  /** Records a run's end (in the caller's transaction, with its event). Returns the run as stored. */
  async finish(em: EntityManager, runId: string, o: RunOutcome): Promise<AgentJobRun | undefined> {
    const [rows] = (await em.query(
      `UPDATE agent_job_run SET status = $2, reply = $3, error = $4, attempts = $5, conversation_id = $6, message_id = $7,
         delivered_message_id = $8, finished_at = clock_timestamp(),
         duration_ms = GREATEST(0, round(extract(epoch FROM clock_timestamp() - coalesce(started_at, created_at)) * 1000))::int
       WHERE id = $1 AND status = 'running' RETURNING ${RUN_COLUMNS}`,
      [runId, o.status, o.reply ?? null, o.error ?? null, o.attempts, o.conversationId ?? null, o.messageId ?? null, o.deliveredMessageId ?? null],
    )) as [Record<string, unknown>[], number];
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  /** Runs still `running` since before `startedBefore` (their worker died): failed with `error`, returned. */
  async failStale(em: EntityManager, startedBefore: Date, error: string): Promise<AgentJobRun[]> {
    const [rows] = (await em.query(
      `UPDATE agent_job_run SET status = 'failed', error = $2, finished_at = clock_timestamp(),
         duration_ms = GREATEST(0, round(extract(epoch FROM clock_timestamp() - started_at) * 1000))::int
       WHERE status = 'running' AND started_at < $1 RETURNING ${RUN_COLUMNS}`,
      [startedBefore, error],
    )) as [Record<string, unknown>[], number];
    return rows.map(toRun);
  }

  jobsByIds(em: EntityManager, ids: string[]): Promise<AgentJob[]> {
    return ids.length ? em.getRepository(AgentJob).createQueryBuilder('j').where('j.id IN (:...ids)', { ids }).getMany() : Promise.resolve([]);
  }

  // ---- runs (admin API) ---------------------------------------------------------------------------------------

  listRuns(jobId: string, query: PageQuery & { status?: JobRunStatus }): Promise<Page<AgentJobRun>> {
    const qb = this.runs.createQueryBuilder('r').where('r.jobId = :jobId', { jobId });
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    return paginate(qb, query);
  }

  findRun(jobId: string, runId: string): Promise<AgentJobRun | null> {
    return this.runs.findOneBy({ id: runId, jobId });
  }
}

function toRun(r: Record<string, unknown>): AgentJobRun {
  return Object.assign(new AgentJobRun(), {
    id: r.id,
    jobId: r.job_id,
    teamId: r.team_id,
    agentId: r.agent_id,
    scheduledFor: r.scheduled_for,
    trigger: r.trigger,
    status: r.status,
    reply: r.reply,
    error: r.error,
    attempts: r.attempts,
    conversationId: r.conversation_id,
    messageId: r.message_id,
    deliveredMessageId: r.delivered_message_id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
    createdAt: r.created_at,
  } as Partial<AgentJobRun>);
}

import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import { Clock } from '../common/clock';
import { SchedulerLock } from '../database/scheduler-lock';
import { EventPublisher } from '../events/event-publisher';
import { nextOccurrence } from './cron-schedule';
import { AgentJob } from './entities/agent-job.entity';
import { AgentJobRun } from './entities/agent-job-run.entity';
import { JobRunner, jobEvent } from './job-runner';
import { JobsRepository } from './jobs.repository';

const TIMEOUT_NAME = 'agent-jobs';
/** How often each worker looks for due occurrences and pending manual runs: an occurrence starts within about this. */
export const JOBS_TICK_MS = 1000;
/** Runs one worker process has in flight at most; more wait for the next tick (another worker may take them). */
const MAX_IN_FLIGHT = 20;
/** A run `running` this long lost its worker: it is failed (job.failed), checked every STALE_CHECK_MS by one replica. */
const STALE_AFTER_MS = 30 * 60_000;
const STALE_CHECK_MS = 60_000;
/** Due jobs read per statement while looking for those of active agents. */
const DUE_PAGE = 100;
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * Worker only. One @nestjs/schedule timeout per worker, re-armed after each tick: every tick claims the occurrences
 * that have come (the agent_job_run row, unique on job + occurrence, decides which worker runs each: exactly one) and
 * the pending manual runs (SKIP LOCKED), and runs them without waiting. A job whose next_run_at is long past — nothing
 * ran while it came, once or many times — runs ONCE, for that first missed occurrence; next_run_at then moves past now.
 */
@Injectable()
export class JobsScheduler implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('JobsScheduler');
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private lastStaleCheck = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: SchedulerRegistry,
    private readonly repo: JobsRepository,
    private readonly runner: JobRunner,
    private readonly lock: SchedulerLock,
    private readonly events: EventPublisher,
    private readonly clock: Clock,
    private readonly agents: AgentsService,
  ) {}

  /** The first tick at once: occurrences missed while no worker ran are taken at start. */
  onApplicationBootstrap(): void {
    this.arm(0);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.registry.doesExist('timeout', TIMEOUT_NAME)) this.registry.deleteTimeout(TIMEOUT_NAME);
  }

  /** Lets the runs in flight end (bounded) before the database pool closes; an interrupted run is failed later as stale. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.inFlight.size) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => (timer = setTimeout(r, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(timer);
  }

  async tick(): Promise<void> {
    if (this.registry.doesExist('timeout', TIMEOUT_NAME)) this.registry.deleteTimeout(TIMEOUT_NAME);
    try {
      await this.claimDue(this.clock.now());
      await this.claimPending();
      if (this.clock.nowMs() - this.lastStaleCheck >= STALE_CHECK_MS) {
        this.lastStaleCheck = this.clock.nowMs();
        await this.lock.runExclusive('agent-jobs-stale', () => this.failStale());
      }
    } catch (e) {
      // the database went away for a moment, or the pool is closing: the next tick tries again
      if (!this.stopped) this.logger.warn({ err: e }, 'agent jobs tick failed');
    } finally {
      this.arm(JOBS_TICK_MS);
    }
  }

  private arm(ms: number): void {
    if (this.stopped) return;
    this.registry.addTimeout(TIMEOUT_NAME, setTimeout(() => void this.tick(), ms));
  }

  private async claimDue(now: Date): Promise<void> {
    const free = MAX_IN_FLIGHT - this.inFlight.size;
    if (free <= 0) return;
    for (const job of await this.dueOfActiveAgents(now, free)) {
      if (this.stopped) return;
      const scheduledFor = job.nextRunAt as Date;
      let next: Date;
      try {
        next = nextOccurrence(job.schedule, job.timezone, now);
      } catch (e) {
        this.logger.error({ err: e, jobId: job.id }, 'the job schedule cannot be read; skipping it');
        continue;
      }
      const run = await this.repo.claimOccurrence(job, scheduledFor, next);
      if (run) this.start(run);
    }
  }

  /**
   * Up to `limit` due jobs of active agents, oldest first. A paused agent's jobs wait (and are passed over): once it is
   * active again, what it missed runs once, like after an outage. Agents' statuses come from AgentsService.
   */
  private async dueOfActiveAgents(now: Date, limit: number): Promise<AgentJob[]> {
    const out: AgentJob[] = [];
    for (let after: AgentJob | undefined; ; ) {
      const page = await this.repo.due(now, DUE_PAGE, after);
      const active = await this.agents.activeAmong(page.map((j) => j.agentId));
      for (const job of page) {
        if (!active.has(job.agentId)) continue;
        out.push(job);
        if (out.length === limit) return out;
      }
      if (page.length < DUE_PAGE) return out;
      after = page[page.length - 1];
    }
  }

  private async claimPending(): Promise<void> {
    const free = MAX_IN_FLIGHT - this.inFlight.size;
    if (free <= 0 || this.stopped) return;
    for (const run of await this.repo.claimPending(free)) this.start(run);
  }

  private start(run: AgentJobRun): void {
    const p = this.runner
      .execute(run)
      .catch((e: unknown) => this.logger.error({ err: e, runId: run.id }, 'a job run could not be recorded; it is failed as stale later'))
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Fails the runs that lost their worker (public for tests; the tick calls it every STALE_CHECK_MS under a lock). */
  async failStale(): Promise<void> {
    const n = await this.dataSource.transaction(async (em) => {
      const runs = await this.repo.failStale(em, new Date(this.clock.nowMs() - STALE_AFTER_MS), 'the worker running it stopped before it finished');
      const jobs = new Map((await this.repo.jobsByIds(em, [...new Set(runs.map((r) => r.jobId))])).map((j) => [j.id, j]));
      for (const run of runs) {
        const job = jobs.get(run.jobId);
        if (job) await this.events.publish(em, jobEvent(job, run));
      }
      return runs.length;
    });
    if (n) this.logger.warn(`${n} job run(s) had lost their worker: failed`);
  }
}

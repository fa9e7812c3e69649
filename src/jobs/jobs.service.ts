import { Injectable } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service';
import { auditBefore } from '../audit/audit-context';
import { Clock } from '../common/clock';
import { Conflict, FieldProblem, NotFound, ValidationFailed } from '../common/errors';
import { Page, PageQuery, mapPage } from '../common/pagination';
import { ConnectionsService } from '../connections/connections.service';
import { MessageTargetDto } from '../conversations/dto/proactive-message.dto';
import { nextOccurrence, scheduleProblem, timezoneProblem } from './cron-schedule';
import { CreateJobDto, UpdateJobDto } from './dto/job.dto';
import { AgentJob, JobTarget } from './entities/agent-job.entity';
import { AgentJobRun, JobRunStatus } from './entities/agent-job-run.entity';
import { JobsRepository } from './jobs.repository';

export type JobView = Omit<AgentJob, 'team' | 'agent'>;
export type JobRunView = Omit<AgentJobRun, 'job'>;

/** Agent jobs through the admin API: validation, next occurrence, run now. Workers run them (JobsScheduler). */
@Injectable()
export class JobsService {
  constructor(
    private readonly repo: JobsRepository,
    private readonly agents: AgentsService,
    private readonly connections: ConnectionsService,
    private readonly clock: Clock,
  ) {}

  async create(teamId: string, agentId: string, dto: CreateJobDto): Promise<JobView> {
    await this.agents.get(teamId, agentId);
    const timezone = dto.timezone ?? 'UTC';
    const schedule = dto.schedule.trim();
    await this.check(teamId, agentId, { schedule, timezone, deliverTo: dto.deliverTo });
    const enabled = dto.enabled ?? true;
    const job = await this.repo.create({
      teamId,
      agentId,
      name: dto.name.trim(),
      schedule,
      timezone,
      prompt: dto.prompt,
      deliverTo: toTarget(dto.deliverTo),
      enabled,
      nextRunAt: enabled ? nextOccurrence(schedule, timezone, this.clock.now()) : null,
    });
    return view(job);
  }

  async list(teamId: string, agentId: string, query: PageQuery): Promise<Page<JobView>> {
    await this.agents.get(teamId, agentId);
    return mapPage(await this.repo.list(teamId, agentId, query), view);
  }

  async get(teamId: string, agentId: string, jobId: string): Promise<JobView> {
    return view(await this.find(teamId, agentId, jobId));
  }

  /** A new schedule, time zone or `enabled: true` computes the next occurrence from now (missed ones are dropped). */
  async update(teamId: string, agentId: string, jobId: string, dto: UpdateJobDto): Promise<JobView> {
    const job = await this.find(teamId, agentId, jobId);
    auditBefore(view(job));
    const schedule = dto.schedule !== undefined ? dto.schedule.trim() : job.schedule;
    const timezone = dto.timezone ?? job.timezone;
    await this.check(teamId, agentId, { schedule, timezone, deliverTo: dto.deliverTo });
    const timing = schedule !== job.schedule || timezone !== job.timezone || (dto.enabled !== undefined && dto.enabled !== job.enabled);
    Object.assign(job, {
      schedule,
      timezone,
      ...(dto.name !== undefined ? { name: dto.name.trim() } : {}),
      ...(dto.prompt !== undefined ? { prompt: dto.prompt } : {}),
      ...(dto.deliverTo !== undefined ? { deliverTo: toTarget(dto.deliverTo) } : {}),
      ...(dto.enabled !== undefined ? { enabled: dto.enabled } : {}),
    });
    if (!job.enabled) job.nextRunAt = null;
    else if (timing || !job.nextRunAt) job.nextRunAt = nextOccurrence(schedule, timezone, this.clock.now());
    return view(await this.repo.save(job));
  }

  async remove(teamId: string, agentId: string, jobId: string): Promise<void> {
    auditBefore(view(await this.find(teamId, agentId, jobId)));
    if (!(await this.repo.remove(teamId, agentId, jobId))) throw new NotFound('job');
  }

  /** A run now, whatever the schedule (also for a disabled job): `pending` until a worker takes it (about a second). */
  async runNow(teamId: string, agentId: string, jobId: string): Promise<JobRunView> {
    const job = await this.find(teamId, agentId, jobId);
    const agent = await this.agents.get(teamId, agentId);
    if (agent.status !== 'active') throw new Conflict(`the agent is ${agent.status}; its jobs run once it is active again`);
    return this.repo.insertManualRun(job);
  }

  async listRuns(teamId: string, agentId: string, jobId: string, query: PageQuery & { status?: JobRunStatus }): Promise<Page<JobRunView>> {
    await this.find(teamId, agentId, jobId);
    return this.repo.listRuns(jobId, query);
  }

  async getRun(teamId: string, agentId: string, jobId: string, runId: string): Promise<JobRunView> {
    await this.find(teamId, agentId, jobId);
    const run = await this.repo.findRun(jobId, runId);
    if (!run) throw new NotFound('job run');
    return run;
  }

  private async find(teamId: string, agentId: string, jobId: string): Promise<AgentJob> {
    const job = await this.repo.find(teamId, agentId, jobId);
    if (!job) throw new NotFound('job');
    return job;
  }

  /** 400 naming each field: the cron expression, the time zone, a deliverTo connection that is not this agent's. */
  private async check(teamId: string, agentId: string, input: { schedule: string; timezone: string; deliverTo?: MessageTargetDto | null }): Promise<void> {
    const problems: FieldProblem[] = [];
    const s = scheduleProblem(input.schedule);
    if (s) problems.push({ field: 'schedule', messages: [s] });
    const tz = timezoneProblem(input.timezone);
    if (tz) problems.push({ field: 'timezone', messages: [tz] });
    if (input.deliverTo) {
      const c = await this.connections.findById(input.deliverTo.connectionId);
      if (!c || c.teamId !== teamId || c.agentId !== agentId) {
        problems.push({ field: 'deliverTo.connectionId', messages: ["deliverTo.connectionId must be one of this agent's connections"] });
      }
    }
    if (problems.length) throw new ValidationFailed(problems.flatMap((p) => p.messages).join('; '), problems);
  }
}

function toTarget(t: MessageTargetDto | null | undefined): JobTarget | null {
  return t ? { connectionId: t.connectionId, chatId: t.chatId, threadId: t.threadId ?? null } : null;
}

function view(job: AgentJob): JobView {
  const { team: _team, agent: _agent, ...rest } = job;
  return rest;
}

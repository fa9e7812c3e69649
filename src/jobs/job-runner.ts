import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import { RuntimeError, RuntimeReply } from '../agents/runtimes/runtime.types';
import { AppConfig } from '../config/app-config';
import { AgentTurnService } from '../conversations/agent-turn.service';
import { PlatformRateLimited, ProactiveMessagesService } from '../conversations/proactive-messages.service';
import { safeErrorMessage } from '../database/query-error';
import { EventPublisher } from '../events/event-publisher';
import { AgentJob } from './entities/agent-job.entity';
import { AgentJobRun } from './entities/agent-job-run.entity';
import { JobsRepository, RunOutcome } from './jobs.repository';

/** A platform 429 while delivering: wait and resend this many times, if it asks for no more than MAX_WAIT_S. */
const DELIVERY_TRIES = 3;
const MAX_WAIT_S = 30;
const PREVIEW_CHARS = 200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one claimed occurrence of a job: the prompt goes into the run's own conversation (platform `api`, chat
 * `job:<jobId>`, thread = run id) and through the agent's runtime like POST …/chat (transient failures retried after
 * AGENT_RETRY_DELAYS_MS); the reply is stored, sent to `deliverTo` through the proactive-message path, and the run
 * ends `completed` (job.completed) or `failed` (job.failed), its event in the same transaction as its end.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('JobRunner');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: JobsRepository,
    private readonly agents: AgentsService,
    private readonly turns: AgentTurnService,
    private readonly messages: ProactiveMessagesService,
    private readonly events: EventPublisher,
    private readonly config: AppConfig,
  ) {}

  async execute(run: AgentJobRun): Promise<void> {
    const job = await this.repo.findById(run.jobId);
    if (!job) return; // deleted meanwhile: its runs went with it
    const outcome: RunOutcome = { status: 'failed', attempts: 0 };
    try {
      Object.assign(outcome, await this.work(job, run, outcome));
    } catch (e) {
      outcome.status = 'failed';
      outcome.error = safeErrorMessage(e);
    }
    if (outcome.status === 'failed') this.logger.warn(`job ${job.id} run ${run.id} failed: ${outcome.error}`);
    await this.finish(job, run, outcome);
  }

  /** Fills `o` as it goes (a throw keeps what was stored so far). */
  private async work(job: AgentJob, run: AgentJobRun, o: RunOutcome): Promise<RunOutcome> {
    const turn = await this.agents.loadForTurn(job.agentId, job.teamId);
    if (!turn) return { ...o, error: 'the agent was deleted' };
    if (turn.agent.status !== 'active') return { ...o, error: `the agent is ${turn.agent.status}` };
    const conversation = await this.turns.storeUserMessage(
      { teamId: job.teamId, agentId: job.agentId, connectionId: null, platform: 'api', chatId: `job:${job.id}`, threadId: run.id },
      { content: job.prompt, sender: { id: `job:${job.id}`, name: job.name }, metadata: { jobId: job.id, jobRunId: run.id } },
    );
    o.conversationId = conversation.id;

    const delays = this.config.inbound.agentRetryDelaysMs;
    let reply: RuntimeReply | undefined;
    let lastError: RuntimeError | undefined;
    for (let attempt = 0; attempt <= delays.length && !reply; attempt++) {
      o.attempts = attempt + 1;
      try {
        reply = await this.turns.runOnce(turn, conversation, job.prompt);
      } catch (e) {
        if (!(e instanceof RuntimeError)) throw e;
        lastError = e;
        if (!e.transient || attempt === delays.length) break;
        await sleep(delays[attempt]);
      }
    }
    if (!reply) return { ...o, error: `agent runtime failed: ${lastError?.message ?? 'no answer'}` };
    const stored = await this.turns.storeReply(conversation, { ...reply, memories: reply.memories ?? [] });
    o.reply = reply.reply;
    o.messageId = stored.id;

    if (job.deliverTo) {
      const target = job.deliverTo;
      for (let n = 1; ; n++) {
        try {
          const sent = await this.messages.send(job.teamId, job.agentId, { ...target, text: reply.reply, metadata: { jobId: job.id, jobRunId: run.id } });
          o.deliveredMessageId = sent.messageId;
          break;
        } catch (e) {
          if (e instanceof PlatformRateLimited && n < DELIVERY_TRIES && e.retryAfterSeconds <= MAX_WAIT_S && !e.partsDelivered) {
            await sleep(e.retryAfterSeconds * 1000);
            continue;
          }
          return { ...o, error: `delivery to ${target.chatId} failed: ${safeErrorMessage(e)}` };
        }
      }
    }
    return { ...o, status: 'completed', error: null };
  }

  /** The run's end and its event, in one transaction; nothing when the run was settled meanwhile (the stale sweep). */
  private async finish(job: AgentJob, run: AgentJobRun, o: RunOutcome): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const done = await this.repo.finish(em, run.id, o);
      if (!done) return;
      await this.events.publish(em, jobEvent(job, done));
    });
  }
}

/** `job.completed` / `job.failed`: the catalog's fields first, then the run's details. */
export function jobEvent(job: Pick<AgentJob, 'id' | 'teamId' | 'agentId' | 'name' | 'deliverTo'>, run: AgentJobRun): { type: string; teamId: string; data: Record<string, unknown> } {
  const common = { run_id: run.id, job_name: job.name, scheduled_for: run.scheduledFor, conversation_id: run.conversationId };
  const kind = run.trigger === 'manual' ? 'manual' : 'scheduled';
  if (run.status === 'completed') {
    return {
      type: 'job.completed',
      teamId: job.teamId,
      data: {
        job_id: job.id,
        agent_id: job.agentId,
        kind,
        duration_ms: run.durationMs,
        completed_at: run.finishedAt,
        ...common,
        message_id: run.messageId,
        reply_preview: (run.reply ?? '').slice(0, PREVIEW_CHARS),
        reply_length: (run.reply ?? '').length,
        delivered_to: job.deliverTo,
        delivered_message_id: run.deliveredMessageId,
      },
    };
  }
  return {
    type: 'job.failed',
    teamId: job.teamId,
    data: { job_id: job.id, agent_id: job.agentId, kind, error: run.error, attempts: run.attempts, failed_at: run.finishedAt, ...common, duration_ms: run.durationMs },
  };
}

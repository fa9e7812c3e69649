import { Injectable, Logger } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service';
import { ConnectorRegistry } from '../connections/connector-registry';
import { CredentialsUnavailable } from '../connections/connection.errors';
import { ConnectionsService } from '../connections/connections.service';
import { ConnectorContext, IncomingMessage, InboundConnector, PlatformConnector, isInboundConnector } from '../connections/platform-connector';
import { Answer, TurnAgent } from './agent-turn.service';
import { ConversationsService } from './conversations.service';
import { Conversation } from './entities/conversation.entity';
import { InboundEvent, InboundStatus } from './entities/inbound-event.entity';
import { Message } from './entities/message.entity';
import { InboundEventsRepository, inboundLeaseKey, isTerminal } from './inbound-events.repository';
import { InboundJob, InboundService } from './inbound.service';
import { LeaseKeeper } from './lease-keeper';
import { TurnWrites } from './turn-writes';
import { safeErrorMessage } from '../database/query-error';
import { isDataException } from '../database/pg-errors';
import { deliverReply } from './reply-delivery';
import { InboundAnswers } from './inbound-answers';
import { IncomingMedia } from './incoming-media';
import { ActionTurns } from './actions/action-turns';
import { Clock } from '../common/clock';

const MAX_ATTEMPTS = 8;
/** Messages one lease drains before it hands the conversation back to the queue (fairness under a flood). */
const MAX_DRAIN = 100;

/** What one message's processing came to: settled (done, ignored, failed), or on hold until a time. */
export type Outcome = { kind: 'settled' } | { kind: 'wait'; until: Date };

/** Connection, connector and agent of one conversation, loaded once per drain. */
interface DrainContext {
  ctx?: ConnectorContext & { connector: PlatformConnector & InboundConnector };
  turn?: TurnAgent;
  /** The open conversation the previous message of this drain went to (same chat): no need to look it up again. */
  conversation?: Conversation;
  loadedAt?: number;
}
/** A long drain looks at the connection and agent again this often (a pause or new credentials take effect). */
const RELOAD_MS = 5000;

/**
 * The worker side of DESIGN §3 — an orchestrator only. A job names one stored event; whoever takes that conversation's
 * lease drains its stored events oldest first, so a message that arrives while its conversation is busy is picked up
 * by the holder the moment the one before it is done. The lease is a row taken and released in short statements;
 * nothing holds a database connection across an agent call or a platform send. Waits (a platform's 429, a transient
 * runtime failure) go through the event's not_before and a delayed job, never an in-process sleep.
 */
@Injectable()
export class InboundPipeline {
  private readonly logger = new Logger('InboundPipeline');

  constructor(
    private readonly events: InboundEventsRepository,
    private readonly leases: LeaseKeeper,
    private readonly inbound: InboundService,
    private readonly connections: ConnectionsService,
    private readonly registry: ConnectorRegistry,
    private readonly agents: AgentsService,
    private readonly conversations: ConversationsService,
    private readonly answers: InboundAnswers,
    private readonly writes: TurnWrites,
    private readonly media: IncomingMedia,
    private readonly actionTurns: ActionTurns,
    private readonly clock: Clock,
  ) {}

  /**
   * One `inbound` job (the event's conversation named in the job, or looked up). Returns at once when another worker
   * holds the conversation: that holder drains this event.
   */
  async handleJob(job: InboundJob): Promise<void> {
    let { connectionId, orderingKey } = job;
    if (!connectionId || orderingKey === undefined) {
      const ev = await this.events.findById(job.eventId);
      if (!ev || isTerminal(ev.status)) return;
      ({ connectionId, orderingKey } = ev);
    }
    const key = inboundLeaseKey(connectionId, orderingKey);
    for (;;) {
      const r = await this.leases.withLease(key, () => this.drain(connectionId, orderingKey, key));
      if (!r.acquired) return;
      if (r.result) {
        await this.inbound.enqueue({ eventId: r.result.eventId, connectionId, orderingKey }, { at: r.result.until });
        return;
      }
      // Someone's job was turned away while we held the lease: its event may have arrived after our last look.
      if (!r.woken) return;
      const head = await this.events.head(connectionId, orderingKey);
      if (!head || (head.notBefore && head.notBefore.getTime() > this.clock.nowMs())) return;
    }
  }

  /** Processes the conversation's events oldest first; returns the held event and its time when one must wait. */
  private async drain(connectionId: string, orderingKey: string, key: string): Promise<{ eventId: string; until: Date } | undefined> {
    const cache: DrainContext = {};
    for (let i = 0; i < MAX_DRAIN; i++) {
      if (!this.leases.holds(key)) return undefined; // lost while we worked: the new holder carries on
      if (cache.loadedAt && this.clock.nowMs() - cache.loadedAt > RELOAD_MS) Object.assign(cache, { ctx: undefined, turn: undefined, conversation: undefined, loadedAt: undefined });
      const head = await this.events.claimHead(connectionId, orderingKey);
      if (!head) return undefined;
      if ('heldUntil' in head) return { eventId: head.id, until: head.heldUntil };
      const outcome = await this.processOne(head.claimed, cache);
      if (outcome.kind === 'wait') return { eventId: head.claimed.id, until: outcome.until };
    }
    const head = await this.events.head(connectionId, orderingKey);
    return head ? { eventId: head.id, until: this.clock.now() } : undefined;
  }

  /**
   * Transient failures (network, a platform's 5xx, a database hiccup) put the event on hold with a growing delay; the
   * conversation waits behind it, and after MAX_ATTEMPTS it fails with the last reason. A value PostgreSQL refuses
   * (an id longer than its column…) fails the event at once: it would fail the same way on every retry.
   */
  private async processOne(ev: InboundEvent, cache: DrainContext): Promise<Outcome> {
    const attempts = ev.attempts; // counted when the event was claimed
    if (attempts > MAX_ATTEMPTS) return this.finish(ev, 'failed', `gave up after ${MAX_ATTEMPTS} attempts (${ev.error ?? 'no reason recorded'})`);
    try {
      return await this.processOnce(ev, cache);
    } catch (e) {
      Object.assign(cache, { ctx: undefined, conversation: undefined }); // credentials, settings or the conversation may have changed
      const reason = safeErrorMessage(e); // a failed SQL statement: its code and names, not the values it carried
      if (isDataException(e)) return this.finish(ev, 'failed', `PostgreSQL refused a value of this event (not retried): ${reason}`);
      if (attempts >= MAX_ATTEMPTS) return this.finish(ev, 'failed', `gave up after ${attempts} attempts: ${reason}`);
      const until = new Date(this.clock.nowMs() + Math.min(60_000, 2000 * 2 ** (attempts - 1)));
      await this.events.hold(ev.id, until, `will retry: ${reason}`);
      this.logger.warn(`event ${ev.id}: ${reason}; retry ${attempts + 1}/${MAX_ATTEMPTS} at ${until.toISOString()}`);
      return { kind: 'wait', until };
    }
  }

  private async processOnce(ev: InboundEvent, cache: DrainContext): Promise<Outcome> {
    const loaded = await this.connectorContext(ev.connectionId, cache);
    if (typeof loaded === 'string') return this.finish(ev, loaded.startsWith('the connection is') ? 'ignored' : 'failed', loaded);
    const { connector, ...ctx } = loaded;

    const parsed = await connector.parse(ev.payload, ctx);
    if (parsed.kind === 'ignored') return this.finish(ev, 'ignored', parsed.reason);
    if (parsed.kind === 'publish') {
      await this.inbound.publishAndFinish(ev.id, { type: parsed.type, teamId: ctx.connection.teamId, data: { connection_id: ctx.connection.id, agent_id: ctx.connection.agentId, ...parsed.data } });
      return { kind: 'settled' };
    }
    let incoming: IncomingMessage;
    if (parsed.kind === 'action') {
      // a button click: decided once (or refused politely), then a turn for the agent like a message
      const clicked = await this.actionTurns.click(ev.id, connector, ctx, parsed.click);
      if ('ignored' in clicked) return this.finish(ev, 'ignored', clicked.ignored);
      incoming = clicked.message;
    } else {
      incoming = parsed.message;
    }

    cache.turn ??= (await this.agents.loadForTurn(ctx.connection.agentId)) ?? undefined;
    const turn = cache.turn;
    if (!turn) return this.finish(ev, 'failed', 'the agent was deleted');
    if (turn.agent.status !== 'active') return this.finish(ev, 'ignored', `the agent is ${turn.agent.status}`);

    // 1. the user's message and the reply, each stored once (a retry re-sends the stored reply, never asks again)
    let conversation: Conversation;
    let reply: Message;
    // the working sign comes down after the reply: when this attempt showed it, or an earlier attempt may have
    let workingShown = true;
    if (ev.replyMessageId && ev.conversationId) {
      const [c, m] = await Promise.all([this.conversations.findById(ev.conversationId), this.conversations.findMessage(ev.replyMessageId)]);
      if (!c || !m) return this.finish(ev, 'failed', 'the conversation was deleted');
      [conversation, reply] = [c, m];
    } else {
      // voice notes transcribed, files fetched for the runtime (in memory only), or a reply that says why not
      const media = await this.media.prepare(connector, ctx, turn, incoming, { stored: !!ev.conversationId });
      const c = ev.conversationId
        ? await this.conversations.findById(ev.conversationId)
        : await this.storeUserMessage(ev, ctx, { ...incoming, text: media.kind === 'ready' ? media.text : incoming.text }, cache.conversation, media.metadata);
      if (!c) return this.finish(ev, 'failed', 'the conversation was deleted');
      conversation = c;
      cache.conversation = c;
      const answer: (Answer & { workingShown?: boolean }) | { until: Date } =
        media.kind === 'refused' ? { reply: media.reply, memories: [] } : await this.answers.answer(ev, connector, ctx, turn, conversation, { ...incoming, text: media.text }, media.attachments);
      if ('until' in answer) return { kind: 'wait', until: answer.until };
      workingShown = answer.workingShown === true;
      reply = await this.writes.storeReply({
        conversation,
        content: answer.reply,
        metadata: {
          inboundEventId: ev.id,
          ...(answer.error ? { runtimeError: answer.error } : {}),
          ...(answer.streamed?.length ? { streamedMessages: answer.streamed } : {}),
          ...(answer.actions?.length ? { actions: answer.actions, ...(answer.approval ? { approval: answer.approval } : {}) } : {}),
        },
        inboundEventId: ev.id,
        error: answer.error ?? null,
        memories: answer.memories,
        reset: answer.reset,
      });
    }
    const runtimeError = typeof reply.metadata?.runtimeError === 'string' ? reply.metadata.runtimeError : null;

    // 2. deliver
    const offered = await this.actionTurns.prepare(conversation, reply);
    const sent = await deliverReply(connector, ctx, this.conversations, { conversation, incoming, reply, workingShown, actions: offered?.outgoing }, this.clock);
    if (sent.kind === 'wait') {
      await this.events.hold(ev.id, sent.until, sent.reason);
      this.logger.warn(`event ${ev.id}: ${sent.reason}; retrying at ${sent.until.toISOString()}`);
      return { kind: 'wait', until: sent.until };
    }
    if (sent.kind === 'failed') {
      if (sent.credentialsRejected) await this.connections.setStatus(ctx.connection, 'error', `the platform rejected the credentials while replying: ${sent.reason}`);
      return this.finish(ev, 'failed', sent.reason);
    }
    if (offered) await this.actionTurns.recordSent(offered.set, sent.actionsMessageId);
    await this.events.finishSent(ev.id, runtimeError ? 'failed' : 'done', runtimeError, { messageId: reply.id, parts: sent.parts, externalMessageId: sent.externalMessageId });
    return { kind: 'settled' };
  }

  private storeUserMessage(ev: InboundEvent, ctx: ConnectorContext, incoming: IncomingMessage, known: Conversation | undefined, media: Record<string, unknown>): Promise<Conversation> {
    const { connection } = ctx;
    return this.writes.storeUser({
      key: { teamId: connection.teamId, agentId: connection.agentId, connectionId: connection.id, platform: connection.platform, chatId: incoming.chatId, threadId: incoming.threadId ?? null },
      known,
      content: incoming.text,
      sender: incoming.sender,
      externalMessageId: incoming.externalMessageId ?? null,
      metadata: { inboundEventId: ev.id, ...media, ...(incoming.action ? { action: incoming.action } : {}) },
      inboundEventId: ev.id,
      conversationMetadata: incoming.conversationMetadata,
    });
  }

  /** The connection, its credentials and connector; a string says why the event cannot be processed. */
  private async connectorContext(connectionId: string, cache: DrainContext): Promise<NonNullable<DrainContext['ctx']> | string> {
    if (cache.ctx) return cache.ctx;
    const connection = await this.connections.findByIdBatched(connectionId);
    if (!connection) return 'the connection was deleted';
    if (connection.status !== 'active') return `the connection is ${connection.status}`;
    const connector = this.registry.get(connection.platform);
    if (!isInboundConnector(connector)) return `${connection.platform} does not process inbound events`;
    try {
      cache.ctx = { connection, credentials: await this.connections.credentialsOf(connection), connector };
      cache.loadedAt = this.clock.nowMs();
      return cache.ctx;
    } catch (e) {
      if (e instanceof CredentialsUnavailable) return e.message;
      throw e;
    }
  }

  private async finish(ev: InboundEvent, status: InboundStatus, error: string | null): Promise<Outcome> {
    await this.events.finish(ev.id, status, error);
    return { kind: 'settled' };
  }
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import { Agent } from '../agents/entities/agent.entity';
import { RuntimeError, RuntimeErrorCode, RuntimeMessage, RuntimeReply } from '../agents/runtimes/runtime.types';
import { AgentRuntimeService } from '../agents/runtimes/agent-runtime.service';
import { AppConfig } from '../config/app-config';
import { Conflict, ValidationFailed } from '../common/errors';
import { ConnectorRegistry } from '../connections/connector-registry';
import { ConnectionsService, CredentialsUnavailable } from '../connections/connections.service';
import { PlatformConnection } from '../connections/entities/platform-connection.entity';
import {
  Credentials,
  IncomingMessage,
  InboundConnector,
  InvalidCredentialsError,
  PermanentSendError,
  PlatformConnector,
  RetryLaterError,
  isInboundConnector,
} from '../connections/platform-connector';
import { safeErrorMessage } from '../database/query-error';
import { isDataException } from '../database/pg-errors';
import { SchedulerLock } from '../database/scheduler-lock';
import { EVENT_PUBLISHER, EventPublisher } from './conversation-events';
import { ConversationsService } from './conversations.service';
import { Conversation } from './entities/conversation.entity';
import { InboundEvent, InboundStatus } from './entities/inbound-event.entity';
import { Message } from './entities/message.entity';

export const UNAVAILABLE_REPLY = 'Sorry — the agent is unavailable right now. Please try again in a little while.';
export const RESET_REPLY = 'Okay — starting a new conversation.';
const MAX_ATTEMPTS = 8;

/** POST …/chat's answer; `error`/`errorCode` are set when the runtime failed and `reply` is the apology. */
export interface ChatAnswer {
  conversationId: string;
  reply: string;
  messageId: string;
  error?: string;
  errorCode?: RuntimeErrorCode;
}
const MAX_DRAIN = 200;

type Outcome = { kind: 'settled' } | { kind: 'wait'; until: Date };

/**
 * The worker side of DESIGN §3. Events of one conversation (same connection + ordering key) are handled strictly in
 * arrival order by whichever worker holds that conversation's advisory lock: it drains them oldest first. A job whose
 * conversation is busy waits (delayed, not blocking a worker) and finds its event done when it comes back.
 */
@Injectable()
export class InboundPipeline {
  private readonly logger = new Logger('InboundPipeline');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly lock: SchedulerLock,
    private readonly connections: ConnectionsService,
    private readonly registry: ConnectorRegistry,
    private readonly agents: AgentsService,
    private readonly runtimes: AgentRuntimeService,
    private readonly conversations: ConversationsService,
    @Inject(EVENT_PUBLISHER) private readonly outbox: EventPublisher,
  ) {}

  /** One `inbound` job. Returns when to look again if the event could not be settled now. */
  async handleJob(eventId: string, polls = 0): Promise<{ retryAt?: Date }> {
    const ev = await this.events().findOneBy({ id: eventId });
    if (!ev || isTerminal(ev.status)) return {};
    const lockName = `inbound:${ev.connectionId}:${ev.orderingKey}`;
    const r = await this.lock.tryWithLock(lockName, () => this.drain(ev.connectionId, ev.orderingKey));
    const after = await this.events().findOneBy({ id: eventId });
    if (!after || isTerminal(after.status)) return {};
    const backoff = Math.min(5000, 150 * 2 ** Math.min(polls, 6)) + Math.floor(Math.random() * 100);
    const waitUntil = r.acquired && r.result.kind === 'wait' ? r.result.until.getTime() : 0;
    return { retryAt: new Date(Math.max(Date.now() + backoff, waitUntil)) };
  }

  private async drain(connectionId: string, orderingKey: string): Promise<Outcome> {
    for (let i = 0; i < MAX_DRAIN; i++) {
      const head = await this.events()
        .createQueryBuilder('e')
        .where('e.connectionId = :connectionId AND e.orderingKey = :orderingKey', { connectionId, orderingKey })
        .andWhere("e.status IN ('received', 'processing')")
        .orderBy('e.seq', 'ASC')
        .getOne();
      if (!head) return { kind: 'settled' };
      if (head.notBefore && head.notBefore.getTime() > Date.now()) return { kind: 'wait', until: head.notBefore };
      const outcome = await this.processOne(head);
      if (outcome.kind === 'wait') return outcome;
    }
    return { kind: 'settled' };
  }

  /**
   * Transient failures (network, a platform's 5xx, a database hiccup) put the event on hold with a growing delay; the
   * conversation waits behind it, and after MAX_ATTEMPTS it fails with the last reason. A value PostgreSQL refuses
   * (an id longer than its column…) fails the event at once: it would fail the same way on every retry.
   */
  private async processOne(ev: InboundEvent): Promise<Outcome> {
    try {
      return await this.processOneOnce(ev);
    } catch (e) {
      const attempts = ev.attempts; // counted at the start of this attempt
      const reason = safeErrorMessage(e); // a failed SQL statement: its code and names, not the values it carried
      if (isDataException(e)) return this.finish(ev, 'failed', `PostgreSQL refused a value of this event (not retried): ${reason}`);
      if (attempts >= MAX_ATTEMPTS) return this.finish(ev, 'failed', `gave up after ${attempts} attempts: ${reason}`);
      const until = new Date(Date.now() + Math.min(60_000, 2000 * 2 ** (attempts - 1)));
      await this.events().update({ id: ev.id }, { notBefore: until, error: `will retry: ${reason}` });
      this.logger.warn(`event ${ev.id}: ${reason}; retry ${attempts + 1}/${MAX_ATTEMPTS} at ${until.toISOString()}`);
      return { kind: 'wait', until };
    }
  }

  private async processOneOnce(ev: InboundEvent): Promise<Outcome> {
    const attempts = ev.attempts + 1;
    await this.events().update({ id: ev.id }, { status: 'processing', attempts, notBefore: null });
    if (attempts > MAX_ATTEMPTS) return this.finish(ev, 'failed', `gave up after ${MAX_ATTEMPTS} attempts (${ev.error ?? 'no reason recorded'})`);
    ev.attempts = attempts;

    const conn = await this.connections.findById(ev.connectionId);
    if (!conn) return this.finish(ev, 'failed', 'the connection was deleted');
    if (conn.status !== 'active') return this.finish(ev, 'ignored', `the connection is ${conn.status}`);
    const connector = this.registry.get(conn.platform);
    if (!isInboundConnector(connector)) return this.finish(ev, 'failed', `${conn.platform} does not process inbound events`);

    let credentials: Credentials;
    try {
      credentials = await this.connections.credentialsOf(conn);
    } catch (e) {
      if (e instanceof CredentialsUnavailable) return this.finish(ev, 'failed', e.message);
      throw e;
    }

    const parsed = await connector.parse(ev.payload, conn, credentials);
    if (parsed.kind === 'ignored') return this.finish(ev, 'ignored', parsed.reason);
    if (parsed.kind === 'publish') {
      await this.dataSource.transaction(async (em) => {
        await this.outbox.publish(em, { type: parsed.type, teamId: conn.teamId, data: { connection_id: conn.id, agent_id: conn.agentId, ...parsed.data } });
        await em.getRepository(InboundEvent).update({ id: ev.id }, { status: 'done', processedAt: new Date(), error: null });
      });
      return { kind: 'settled' };
    }
    const incoming = parsed.message;

    const agent = await this.dataSource.getRepository(Agent).findOneBy({ id: conn.agentId });
    if (!agent) return this.finish(ev, 'failed', 'the agent was deleted');
    if (agent.status !== 'active') return this.finish(ev, 'ignored', `the agent is ${agent.status}`);

    // 1. the user's message and the reply, stored once (a retry after a failed send re-sends the stored reply)
    let reply: Message;
    let conversation: Conversation;
    let runtimeError: string | null = null;
    if (ev.replyMessageId && ev.conversationId) {
      reply = await this.dataSource.getRepository(Message).findOneByOrFail({ id: ev.replyMessageId });
      conversation = await this.dataSource.getRepository(Conversation).findOneByOrFail({ id: ev.conversationId });
      runtimeError = typeof reply.metadata.runtimeError === 'string' ? reply.metadata.runtimeError : null;
    } else {
      conversation = await this.dataSource.transaction(async (em) => {
        const { conversation: c } = await this.conversations.findOrOpen(em, {
          teamId: conn.teamId,
          agentId: agent.id,
          connectionId: conn.id,
          platform: conn.platform,
          chatId: incoming.chatId,
          threadId: incoming.threadId ?? null,
        });
        await this.conversations.append(em, c, {
          role: 'user',
          content: incoming.text,
          sender: incoming.sender,
          externalMessageId: incoming.externalMessageId ?? null,
          metadata: { inboundEventId: ev.id, ...(incoming.attachments.length ? { attachments: incoming.attachments } : {}) },
        });
        if (incoming.conversationMetadata) {
          c.metadata = { ...c.metadata, ...incoming.conversationMetadata };
          await em.getRepository(Conversation).save(c);
        }
        await em.getRepository(InboundEvent).update({ id: ev.id }, { conversationId: c.id });
        return c;
      });
      const answer = await this.answer(connector, conn, credentials, agent, conversation, incoming);
      runtimeError = answer.error ?? null;
      reply = await this.dataSource.transaction(async (em) => {
        const m = await this.conversations.append(em, conversation, {
          role: 'assistant',
          content: answer.reply,
          metadata: { inboundEventId: ev.id, ...(runtimeError ? { runtimeError } : {}) },
        });
        await this.conversations.remember(em, conversation, answer.memories);
        if (answer.reset) await this.conversations.complete(em, conversation, 'reset');
        await em.getRepository(InboundEvent).update({ id: ev.id }, { replyMessageId: m.id, error: runtimeError });
        return m;
      });
    }

    // 2. deliver
    try {
      const sent = await connector.send(conn, credentials, {
        conversationId: conversation.id,
        chatId: incoming.chatId,
        threadId: incoming.threadId ?? null,
        text: reply.content,
        incoming,
        progress: {
          delivered: Number(reply.metadata?.deliveredParts ?? 0),
          markDelivered: async (parts: number) => {
            await this.dataSource.query(`UPDATE message SET metadata = metadata || jsonb_build_object('deliveredParts', $2::int) WHERE id = $1`, [reply.id, parts]);
          },
        },
      });
      if (sent.externalMessageId) await this.dataSource.getRepository(Message).update({ id: reply.id }, { externalMessageId: sent.externalMessageId });
    } catch (e) {
      if (e instanceof RetryLaterError) {
        const until = new Date(Date.now() + e.delayMs);
        await this.events().update({ id: ev.id }, { notBefore: until, error: e.message });
        this.logger.warn(`event ${ev.id}: ${e.message}; retrying at ${until.toISOString()}`);
        return { kind: 'wait', until };
      }
      if (e instanceof PermanentSendError) {
        if (e.conversationMetadata) {
          // jsonb merge in SQL: TypeORM's update() types cannot express an arbitrary jsonb object
          await this.dataSource.query('UPDATE conversation SET metadata = metadata || $2::jsonb WHERE id = $1', [
            conversation.id,
            JSON.stringify(e.conversationMetadata),
          ]);
        }
        return this.finish(ev, 'failed', e.message);
      }
      if (e instanceof InvalidCredentialsError) {
        await this.connections.setStatus(conn, 'error', `the platform rejected the credentials while replying: ${e.message}`);
        return this.finish(ev, 'failed', `the platform rejected the credentials: ${e.message}`);
      }
      throw e; // network and other transient errors: processOne puts the event on hold and retries it later
    } finally {
      await connector.stopWorking?.(conn, credentials, incoming).catch(() => undefined);
    }
    return this.finish(ev, runtimeError ? 'failed' : 'done', runtimeError);
  }

  /** Commands, then the agent's runtime with retries; never throws for runtime failures (the user gets an apology). */
  private async answer(
    connector: PlatformConnector & InboundConnector,
    conn: PlatformConnection,
    credentials: Credentials,
    agent: Agent,
    conversation: Conversation,
    incoming: IncomingMessage,
  ): Promise<RuntimeReply & { error?: string; reset?: boolean }> {
    if (incoming.command) {
      if (incoming.command.name === 'reset') return { reply: RESET_REPLY, memories: [], reset: true };
      const text = connector.commandReply?.({ agentName: agent.name, agentStatus: agent.status, settings: conn.settings, command: incoming.command });
      if (text !== undefined) return { reply: text, memories: [] };
    }
    await connector.startWorking?.(conn, credentials, incoming).catch(() => undefined);
    return this.runAgent(agent, conversation);
  }

  async runAgent(agent: Agent, conversation: Conversation): Promise<RuntimeReply & { error?: string; errorCode?: RuntimeErrorCode }> {
    const { runtime, secrets } = await this.agents.runtimeOf(agent);
    const historyLimit = typeof runtime.historyMessages === 'number' ? runtime.historyMessages + 1 : 21;
    const history = await this.conversations.history(conversation.id, historyLimit);
    const messages: RuntimeMessage[] = history.map((m) => ({ role: m.role, content: m.content }));
    const delays = this.config.inbound.agentRetryDelaysMs;
    let lastError = new RuntimeError('unknown error', false, 'UNKNOWN_RUNTIME');
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      try {
        return await this.runtimes.reply({
          agent: { id: agent.id, teamId: agent.teamId, name: agent.name, slug: agent.slug, runtime },
          conversation: {
            id: conversation.id,
            platform: conversation.platform,
            externalChatId: conversation.externalChatId,
            externalThreadId: conversation.externalThreadId,
          },
          messages,
          secrets,
        });
      } catch (e) {
        if (!(e instanceof RuntimeError)) throw e;
        lastError = e;
        if (!e.transient || attempt === delays.length) break;
        await new Promise((r) => setTimeout(r, delays[attempt]));
      }
    }
    this.logger.warn(`agent ${agent.id} runtime failed: ${lastError.message}`);
    return { reply: UNAVAILABLE_REPLY, memories: [], error: `agent runtime failed: ${lastError.message}`, errorCode: lastError.code };
  }

  /** POST …/chat: the same conversation + runtime path without a platform. */
  async chat(teamId: string, agentId: string, userId: string, text: string, conversationId?: string): Promise<ChatAnswer> {
    if (!text.trim()) throw new ValidationFailed('text must not be empty', [{ field: 'text', messages: ['text must not be empty'] }]);
    const agent = await this.agents.get(teamId, agentId);
    if (agent.status !== 'active') throw new Conflict(`the agent is ${agent.status}; it answers nothing until it is active again`);
    let conversation: Conversation;
    if (conversationId) {
      conversation = await this.conversations.get(teamId, agentId, conversationId);
      if (conversation.platform !== 'api') throw new Conflict('only conversations started through this API can be continued here');
      if (conversation.status !== 'open') throw new Conflict('this conversation is completed; start a new one (omit conversationId)');
    } else {
      conversation = await this.dataSource.transaction(async (em) =>
        (await this.conversations.findOrOpen(em, { teamId, agentId, connectionId: null, platform: 'api', chatId: `user:${userId}`, threadId: randomUUID() })).conversation,
      );
    }
    const r = await this.lock.tryWithLock(`conversation:${conversation.id}`, async () => {
      await this.dataSource.transaction((em) => this.conversations.append(em, conversation, { role: 'user', content: text, sender: { id: userId } }));
      const answer = await this.runAgent(agent, conversation);
      const m = await this.dataSource.transaction(async (em: EntityManager) => {
        const saved = await this.conversations.append(em, conversation, { role: 'assistant', content: answer.reply });
        await this.conversations.remember(em, conversation, answer.memories);
        return saved;
      });
      return { conversationId: conversation.id, reply: answer.reply, messageId: m.id, ...(answer.error ? { error: answer.error, errorCode: answer.errorCode } : {}) };
    });
    if (!r.acquired) throw new Conflict('this conversation is answering another message; try again in a moment');
    return r.result;
  }

  private async finish(ev: InboundEvent, status: InboundStatus, error: string | null): Promise<Outcome> {
    await this.events().update({ id: ev.id }, { status, error, processedAt: new Date(), notBefore: null });
    return { kind: 'settled' };
  }

  private events() {
    return this.dataSource.getRepository(InboundEvent);
  }
}

function isTerminal(s: InboundStatus): boolean {
  return s === 'done' || s === 'ignored' || s === 'failed';
}

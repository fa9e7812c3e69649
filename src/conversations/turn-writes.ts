import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { RuntimeMemory } from '../agents/runtimes/runtime.types';
import { statementBatcher } from '../database/statement-batcher';
import { conversationData, messageData } from './conversation-events';
import { EventPublisher } from '../events/event-publisher';
import { ConversationKey, ConversationsService } from './conversations.service';
import { Conversation } from './entities/conversation.entity';
import { Message, MessageRole, MessageSender } from './entities/message.entity';
import { Ids } from '../common/ids';

/** A platform message to store: its conversation (found, or opened) and the inbound event it came from. */
export interface UserWrite {
  key: ConversationKey & { connectionId: string };
  /** The open conversation the caller had a moment ago for this key (the previous message of a drain). */
  known?: Conversation;
  content: string;
  sender?: MessageSender | null;
  externalMessageId?: string | null;
  metadata?: Record<string, unknown>;
  inboundEventId: string;
  conversationMetadata?: Record<string, unknown>;
}

/** An agent's reply to store, linked to the inbound event it answers. */
export interface ReplyWrite {
  conversation: Conversation;
  content: string;
  metadata: Record<string, unknown>;
  inboundEventId: string;
  error: string | null;
  memories: RuntimeMemory[];
  reset?: boolean;
}

interface MessageRow {
  id: string;
  seq: string;
  conversation_id: string;
  role: MessageRole;
  content: string;
  external_message_id: string | null;
  sender: MessageSender | null;
  created_at: Date;
  metadata: Record<string, unknown>;
}

/**
 * The two writes of every platform message — the user's message, then the reply — for many conversations at the same
 * moment in one transaction each: conversations found and opened, messages inserted, last_message_at moved and the
 * inbound events linked by a few multi-row statements, with their outbox events in the same transaction. A batch that
 * fails is retried item by item, so one bad message fails alone.
 */
@Injectable()
export class TurnWrites {
  private readonly users = statementBatcher<UserWrite, Conversation>((items) => this.batch(items, (em, xs) => this.storeUsers(em, xs)), 100);
  private readonly replies = statementBatcher<ReplyWrite, Message>((items) => this.batch(items, (em, xs) => this.storeReplies(em, xs)), 100);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly conversations: ConversationsService,
    private readonly events: EventPublisher,
    private readonly ids: Ids,
  ) {}

  storeUser(write: UserWrite): Promise<Conversation> {
    return this.users(write);
  }

  storeReply(write: ReplyWrite): Promise<Message> {
    return this.replies(write);
  }

  private async batch<T, R>(items: readonly T[], run: (em: EntityManager, items: readonly T[]) => Promise<R[]>): Promise<(R | Error)[]> {
    try {
      return await this.dataSource.transaction((em) => run(em, items));
    } catch (e) {
      if (items.length === 1) return [e instanceof Error ? e : new Error(String(e))];
      return Promise.all(items.map((item) => this.dataSource.transaction((em) => run(em, [item])).then((r) => r[0], (err: unknown) => (err instanceof Error ? err : new Error(String(err))))));
    }
  }

  private async storeUsers(em: EntityManager, items: readonly UserWrite[]): Promise<Conversation[]> {
    const keyOf = (k: UserWrite['key']): string => JSON.stringify([k.agentId, k.connectionId, k.chatId, k.threadId ?? null]);
    const byKey = new Map<string, Conversation>();
    for (const i of items) {
      if (i.known?.status === 'open' && keyOf(i.key) === JSON.stringify([i.known.agentId, i.known.connectionId, i.known.externalChatId, i.known.externalThreadId])) byKey.set(keyOf(i.key), i.known);
    }
    const wanted = [...new Map(items.filter((i) => !byKey.has(keyOf(i.key))).map((i) => [keyOf(i.key), i.key])).values()];
    if (wanted.length) {
      const found = (await em.query(
        `SELECT DISTINCT ON (c.agent_id, c.connection_id, c.external_chat_id, c.external_thread_id) c.*
         FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[]) AS k(agent_id, connection_id, chat_id, thread_id)
         JOIN conversation c ON c.connection_id = k.connection_id AND c.external_chat_id = k.chat_id AND c.agent_id = k.agent_id
           AND c.external_thread_id IS NOT DISTINCT FROM k.thread_id AND c.status = 'open'
         ORDER BY c.agent_id, c.connection_id, c.external_chat_id, c.external_thread_id, c.started_at DESC`,
        [wanted.map((k) => k.agentId), wanted.map((k) => k.connectionId), wanted.map((k) => k.chatId), wanted.map((k) => k.threadId ?? null)],
      )) as Record<string, unknown>[];
      for (const row of found) {
        const c = toConversation(row);
        byKey.set(keyOf({ agentId: c.agentId, connectionId: c.connectionId as string, chatId: c.externalChatId, threadId: c.externalThreadId, teamId: c.teamId, platform: c.platform }), c);
      }
      const missing = wanted.filter((k) => !byKey.has(keyOf(k)));
      if (missing.length) {
        const created = (await em.query(
          `INSERT INTO conversation (team_id, agent_id, connection_id, platform, external_chat_id, external_thread_id, status)
           SELECT *, 'open'::conversation_status FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::varchar[], $5::varchar[], $6::varchar[])
           RETURNING *`,
          [missing.map((k) => k.teamId), missing.map((k) => k.agentId), missing.map((k) => k.connectionId), missing.map((k) => k.platform), missing.map((k) => k.chatId), missing.map((k) => k.threadId ?? null)],
        )) as Record<string, unknown>[];
        const createdConversations = created.map(toConversation);
        for (const c of createdConversations) {
          byKey.set(keyOf({ agentId: c.agentId, connectionId: c.connectionId as string, chatId: c.externalChatId, threadId: c.externalThreadId, teamId: c.teamId, platform: c.platform }), c);
        }
        await this.events.publishMany(
          em,
          createdConversations.map((c) => ({ type: 'conversation.created', teamId: c.teamId, data: conversationData(c) })),
        );
      }
    }
    const conversations = items.map((i) => byKey.get(keyOf(i.key)) as Conversation);
    await this.insertMessages(
      em,
      items.map((i, n) => ({ conversation: conversations[n], role: 'user', content: i.content, sender: i.sender ?? null, externalMessageId: i.externalMessageId ?? null, metadata: i.metadata ?? {} })),
      `UPDATE inbound_event SET conversation_id = v.conversation_id FROM v WHERE inbound_event.id = v.event_id`,
      items.map((i) => ({ eventId: i.inboundEventId, error: null })),
    );
    for (const [n, i] of items.entries()) if (i.conversationMetadata) await this.conversations.mergeMetadata(em, conversations[n], i.conversationMetadata);
    return conversations;
  }

  private async storeReplies(em: EntityManager, items: readonly ReplyWrite[]): Promise<Message[]> {
    const messages = await this.insertMessages(
      em,
      items.map((i) => ({ conversation: i.conversation, role: 'assistant', content: i.content, sender: null, externalMessageId: null, metadata: i.metadata })),
      `UPDATE inbound_event SET reply_message_id = v.id, error = v.error FROM v WHERE inbound_event.id = v.event_id`,
      items.map((i) => ({ eventId: i.inboundEventId, error: i.error })),
    );
    for (const i of items) {
      await this.conversations.remember(em, i.conversation, i.memories);
      if (i.reset) await this.conversations.complete(em, i.conversation, 'reset');
    }
    return messages;
  }

  /** Inserts the messages, moves each conversation's last_message_at and runs `linkSql` (over `v`), in one statement. */
  private async insertMessages(
    em: EntityManager,
    rows: { conversation: Conversation; role: MessageRole; content: string; sender: MessageSender | null; externalMessageId: string | null; metadata: Record<string, unknown> }[],
    linkSql: string,
    links: { eventId: string; error: string | null }[],
  ): Promise<Message[]> {
    const ids = rows.map(() => this.ids.uuid());
    const inserted = (await em.query(
      `WITH v AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::message_role[], $4::text[], $5::jsonb[], $6::varchar[], $7::jsonb[], $8::uuid[], $9::text[], $10::int[])
           AS v(id, conversation_id, role, content, sender, external_message_id, metadata, event_id, error, ord)
       ), m AS (
         INSERT INTO message (id, conversation_id, role, content, sender, external_message_id, metadata)
         SELECT id, conversation_id, role, content, sender, external_message_id, metadata FROM v ORDER BY ord RETURNING *
       ), c AS (
         UPDATE conversation SET last_message_at = l.at, updated_at = now()
         FROM (SELECT conversation_id, max(created_at) AS at FROM m GROUP BY conversation_id) l WHERE conversation.id = l.conversation_id
       ), e AS (${linkSql})
       SELECT id, seq, conversation_id, role, content, external_message_id, sender, created_at, metadata FROM m`,
      [
        ids,
        rows.map((r) => r.conversation.id),
        rows.map((r) => r.role),
        rows.map((r) => r.content),
        rows.map((r) => (r.sender ? JSON.stringify(r.sender) : null)),
        rows.map((r) => r.externalMessageId),
        rows.map((r) => JSON.stringify(r.metadata)),
        links.map((l) => l.eventId),
        links.map((l) => l.error),
        rows.map((_, n) => n),
      ],
    )) as MessageRow[];
    const byId = new Map(inserted.map((r) => [r.id, r]));
    const messages = ids.map((id) => toMessage(byId.get(id) as MessageRow));
    for (const [n, m] of messages.entries()) rows[n].conversation.lastMessageAt = m.createdAt;
    await this.events.publishMany(
      em,
      messages.map((m, n) => ({ type: 'message.created', teamId: rows[n].conversation.teamId, data: messageData(rows[n].conversation, m) })),
    );
    return messages;
  }
}

function toMessage(r: MessageRow): Message {
  return Object.assign(new Message(), {
    id: r.id,
    seq: String(r.seq),
    conversationId: r.conversation_id,
    role: r.role,
    content: r.content,
    externalMessageId: r.external_message_id,
    sender: r.sender,
    createdAt: r.created_at,
    metadata: r.metadata,
  });
}

function toConversation(r: Record<string, unknown>): Conversation {
  return Object.assign(new Conversation(), {
    id: r.id,
    teamId: r.team_id,
    agentId: r.agent_id,
    connectionId: r.connection_id,
    platform: r.platform,
    externalChatId: r.external_chat_id,
    externalThreadId: r.external_thread_id,
    status: r.status,
    startedAt: r.started_at,
    lastMessageAt: r.last_message_at,
    completedAt: r.completed_at,
    metadata: r.metadata,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  } as Partial<Conversation>);
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { RuntimeMemory } from '../agents/runtimes/runtime.types';
import { statementBatcher } from '../database/statement-batcher';
import { conversationData, messageData } from './conversation-events';
import { EventPublisher } from '../events/event-publisher';
import { ConversationsService } from './conversations.service';
import { ConversationsRepository, PlatformConversationKey } from './conversations.repository';
import { Conversation } from './entities/conversation.entity';
import { Message, MessageRole, MessageSender } from './entities/message.entity';
import { EventLink, MessagesRepository } from './messages.repository';
import { Ids } from '../common/ids';

/** A platform message to store: its conversation (found, or opened) and the inbound event it came from. */
export interface UserWrite {
  key: PlatformConversationKey;
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
    private readonly conversationRows: ConversationsRepository,
    private readonly messages: MessagesRepository,
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
    const byKey = new Map<string, Conversation>();
    for (const i of items) {
      if (i.known?.status === 'open' && keyOf(i.key) === JSON.stringify([i.known.agentId, i.known.connectionId, i.known.externalChatId, i.known.externalThreadId])) byKey.set(keyOf(i.key), i.known);
    }
    const wanted = [...new Map(items.filter((i) => !byKey.has(keyOf(i.key))).map((i) => [keyOf(i.key), i.key])).values()];
    if (wanted.length) {
      for (const c of await this.conversationRows.findOpenMany(em, wanted)) byKey.set(keyOfConversation(c), c);
      const missing = wanted.filter((k) => !byKey.has(keyOf(k)));
      if (missing.length) {
        const created = await this.conversationRows.openMany(em, missing);
        for (const c of created) byKey.set(keyOfConversation(c), c);
        await this.events.publishMany(
          em,
          created.map((c) => ({ type: 'conversation.created', teamId: c.teamId, data: conversationData(c) })),
        );
      }
    }
    const conversations = items.map((i) => byKey.get(keyOf(i.key)) as Conversation);
    await this.insertMessages(
      em,
      items.map((i, n) => ({ conversation: conversations[n], role: 'user', content: i.content, sender: i.sender ?? null, externalMessageId: i.externalMessageId ?? null, metadata: i.metadata ?? {} })),
      'conversation',
      items.map((i) => ({ eventId: i.inboundEventId, error: null })),
    );
    for (const [n, i] of items.entries()) if (i.conversationMetadata) await this.conversations.mergeMetadata(em, conversations[n], i.conversationMetadata);
    return conversations;
  }

  private async storeReplies(em: EntityManager, items: readonly ReplyWrite[]): Promise<Message[]> {
    const messages = await this.insertMessages(
      em,
      items.map((i) => ({ conversation: i.conversation, role: 'assistant', content: i.content, sender: null, externalMessageId: null, metadata: i.metadata })),
      'reply',
      items.map((i) => ({ eventId: i.inboundEventId, error: i.error })),
    );
    for (const i of items) {
      await this.conversations.remember(em, i.conversation, i.memories);
      if (i.reset) await this.conversations.complete(em, i.conversation, 'reset');
    }
    return messages;
  }

  /** Inserts the messages, moves each conversation's last_message_at and links their inbound events, in one statement. */
  private async insertMessages(
    em: EntityManager,
    rows: { conversation: Conversation; role: MessageRole; content: string; sender: MessageSender | null; externalMessageId: string | null; metadata: Record<string, unknown> }[],
    link: EventLink,
    links: { eventId: string; error: string | null }[],
  ): Promise<Message[]> {
    const messages = await this.messages.insertLinked(
      em,
      rows.map((r, n) => ({
        id: this.ids.uuid(),
        conversationId: r.conversation.id,
        role: r.role,
        content: r.content,
        sender: r.sender,
        externalMessageId: r.externalMessageId,
        metadata: r.metadata,
        eventId: links[n].eventId,
        error: links[n].error,
      })),
      link,
    );
    for (const [n, m] of messages.entries()) rows[n].conversation.lastMessageAt = m.createdAt;
    await this.events.publishMany(
      em,
      messages.map((m, n) => ({ type: 'message.created', teamId: rows[n].conversation.teamId, data: messageData(rows[n].conversation, m) })),
    );
    return messages;
  }
}

const keyOf = (k: PlatformConversationKey): string => JSON.stringify([k.agentId, k.connectionId, k.chatId, k.threadId ?? null]);

const keyOfConversation = (c: Conversation): string => JSON.stringify([c.agentId, c.connectionId, c.externalChatId, c.externalThreadId ?? null]);

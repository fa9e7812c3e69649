import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { NotFound, ValidationFailed } from '../common/errors';
import { Page, PageQuery } from '../common/pagination';
import { RuntimeMemory } from '../agents/runtimes/runtime.types';
import { conversationData, memoryData, messageData } from './conversation-events';
import { EventPublisher } from '../events/event-publisher';
import { ConversationKey, ConversationsRepository } from './conversations.repository';
import { Conversation } from './entities/conversation.entity';
import { Message } from './entities/message.entity';
import { MessagesRepository, NewMessage } from './messages.repository';
import { Clock } from '../common/clock';

export type { ConversationKey } from './conversations.repository';

/** Conversations and their messages. Every write publishes its event in the same transaction. */
@Injectable()
export class ConversationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly events: EventPublisher,
    private readonly clock: Clock,
  ) {}

  /** The open conversation for (connection, chat, thread), or a new one. Callers hold the conversation's ordering lock. */
  async findOrOpen(em: EntityManager, key: ConversationKey, known?: Conversation): Promise<{ conversation: Conversation; created: boolean }> {
    // the open conversation the caller found for this key a moment ago (the previous message of a drain)
    if (known?.status === 'open') return { conversation: known, created: false };
    const existing = await this.conversations.findOpen(em, key);
    if (existing) return { conversation: existing, created: false };
    const conversation = await this.conversations.open(em, key);
    await this.events.publish(em, { type: 'conversation.created', teamId: key.teamId, data: conversationData(conversation) });
    return { conversation, created: true };
  }

  /** Stores a message and moves the conversation's last_message_at, in one statement; publishes `message.created`. */
  async append(em: EntityManager, conversation: Conversation, msg: NewMessage): Promise<Message> {
    const saved = await this.messages.append(em, conversation.id, msg);
    conversation.lastMessageAt = saved.createdAt;
    await this.events.publish(em, { type: 'message.created', teamId: conversation.teamId, data: messageData(conversation, saved) });
    return saved;
  }

  /** Merges `metadata` into the conversation's (jsonb `||`, so concurrent keys are not lost). */
  async mergeMetadata(em: EntityManager | undefined, conversation: Conversation, metadata: Record<string, unknown>): Promise<void> {
    await this.conversations.mergeMetadata(conversation.id, metadata, em);
    conversation.metadata = { ...conversation.metadata, ...metadata };
  }

  findById(conversationId: string): Promise<Conversation | null> {
    return this.conversations.findById(conversationId);
  }

  findMessage(messageId: string): Promise<Message | null> {
    return this.messages.findById(messageId);
  }

  /** Records how many parts of a split reply reached the platform (a retry skips them). */
  async markDelivered(messageId: string, parts: number): Promise<void> {
    await this.messages.markDelivered(messageId, parts);
  }

  async remember(em: EntityManager, conversation: Conversation, memories: RuntimeMemory[]): Promise<void> {
    for (const m of memories) {
      const saved = await this.conversations.saveMemory(em, {
        teamId: conversation.teamId,
        agentId: conversation.agentId,
        conversationId: conversation.id,
        type: m.type,
        content: m.content,
        importance: m.importance ?? null,
      });
      await this.events.publish(em, { type: 'memory.created', teamId: conversation.teamId, data: memoryData(saved) });
    }
  }

  async complete(em: EntityManager, conversation: Conversation, reason: 'idle' | 'reset'): Promise<void> {
    if (!(await this.conversations.complete(em, conversation.id, this.clock.now()))) return;
    conversation.status = 'completed';
    await this.events.publish(em, {
      type: 'conversation.completed',
      teamId: conversation.teamId,
      data: { ...conversationData(conversation), reason },
    });
  }

  /** Scheduled: completes conversations silent for `idleMinutes`. */
  async completeIdle(idleMinutes: number, batch = 200): Promise<number> {
    const cutoff = new Date(this.clock.nowMs() - idleMinutes * 60_000);
    let total = 0;
    for (;;) {
      const idle = await this.conversations.findIdle(cutoff, batch);
      if (!idle.length) return total;
      for (const c of idle) await this.dataSource.transaction((em) => this.complete(em, c, 'idle'));
      total += idle.length;
    }
  }

  // ---- admin API ----------------------------------------------------------------------------------------------

  list(teamId: string, agentId: string, query: PageQuery & { platform?: string; status?: string }): Promise<Page<Conversation>> {
    return this.conversations.list(teamId, agentId, query);
  }

  async get(teamId: string, agentId: string, conversationId: string): Promise<Conversation> {
    const c = await this.conversations.find(teamId, agentId, conversationId);
    if (!c) throw new NotFound('conversation');
    return c;
  }

  /** Messages oldest first, paginated forward. */
  async listMessages(teamId: string, agentId: string, conversationId: string, query: PageQuery): Promise<Page<Message>> {
    await this.get(teamId, agentId, conversationId);
    const limit = query.limit ?? 50;
    let after: string | undefined;
    if (query.cursor) {
      after = Buffer.from(query.cursor, 'base64url').toString('utf8');
      if (!/^\d{1,19}$/.test(after)) throw new ValidationFailed('cursor is not valid', [{ field: 'cursor', messages: ['cursor is not valid'] }]);
    }
    const rows = await this.messages.after(conversationId, after, limit + 1);
    const data = rows.slice(0, limit);
    const last = data[data.length - 1];
    return { data, nextCursor: rows.length > limit && last ? Buffer.from(last.seq).toString('base64url') : null };
  }
}

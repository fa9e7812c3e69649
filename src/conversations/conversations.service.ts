import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, LessThan, Repository } from 'typeorm';
import { NotFound, ValidationFailed } from '../common/errors';
import { Page, PageQuery, paginate } from '../common/pagination';
import { RuntimeMemory } from '../agents/runtimes/runtime.types';
import { conversationData, memoryData, messageData } from './conversation-events';
import { EventPublisher } from '../events/event-publisher';
import { AgentMemory } from './entities/agent-memory.entity';
import { Conversation } from './entities/conversation.entity';
import { Message, MessageRole, MessageSender } from './entities/message.entity';
import { Clock } from '../common/clock';

export interface ConversationKey {
  teamId: string;
  agentId: string;
  connectionId: string | null;
  platform: string;
  chatId: string;
  threadId: string | null;
}

/** Conversations and their messages. Every write publishes its event in the same transaction. */
@Injectable()
export class ConversationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Conversation) private readonly conversations: Repository<Conversation>,
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    private readonly events: EventPublisher,
    private readonly clock: Clock,
  ) {}

  /** The open conversation for (connection, chat, thread), or a new one. Callers hold the conversation's ordering lock. */
  async findOrOpen(em: EntityManager, key: ConversationKey, known?: Conversation): Promise<{ conversation: Conversation; created: boolean }> {
    const repo = em.getRepository(Conversation);
    // the open conversation the caller found for this key a moment ago (the previous message of a drain)
    if (known?.status === 'open') return { conversation: known, created: false };
    const existing = await repo.findOne({
      where: {
        agentId: key.agentId,
        connectionId: key.connectionId ?? IsNull(),
        externalChatId: key.chatId,
        externalThreadId: key.threadId ?? IsNull(),
        status: 'open',
      },
      order: { startedAt: 'DESC' },
    });
    if (existing) return { conversation: existing, created: false };
    const conversation = await repo.save(
      repo.create({
        teamId: key.teamId,
        agentId: key.agentId,
        connectionId: key.connectionId,
        platform: key.platform,
        externalChatId: key.chatId,
        externalThreadId: key.threadId,
        status: 'open',
      }),
    );
    await this.events.publish(em, { type: 'conversation.created', teamId: key.teamId, data: conversationData(conversation) });
    return { conversation, created: true };
  }

  /** Stores a message and moves the conversation's last_message_at, in one statement; publishes `message.created`. */
  async append(
    em: EntityManager,
    conversation: Conversation,
    msg: { role: MessageRole; content: string; sender?: MessageSender | null; externalMessageId?: string | null; metadata?: Record<string, unknown> },
  ): Promise<Message> {
    const params: unknown[] = [conversation.id, msg.role, msg.content, msg.sender ? JSON.stringify(msg.sender) : null, msg.externalMessageId ?? null, JSON.stringify(msg.metadata ?? {})];
    const [row] = (await em.query(
      `WITH m AS (
         INSERT INTO message (conversation_id, role, content, sender, external_message_id, metadata)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *
       ), c AS (
         UPDATE conversation SET last_message_at = (SELECT created_at FROM m), updated_at = now() WHERE id = $1
       )
       SELECT id, seq, conversation_id, role, content, external_message_id, sender, created_at, metadata FROM m`,
      params,
    )) as { id: string; seq: string; conversation_id: string; role: MessageRole; content: string; external_message_id: string | null; sender: MessageSender | null; created_at: Date; metadata: Record<string, unknown> }[];
    const saved = Object.assign(new Message(), {
      id: row.id,
      seq: String(row.seq),
      conversationId: row.conversation_id,
      role: row.role,
      content: row.content,
      externalMessageId: row.external_message_id,
      sender: row.sender,
      createdAt: row.created_at,
      metadata: row.metadata,
    });
    conversation.lastMessageAt = saved.createdAt;
    await this.events.publish(em, { type: 'message.created', teamId: conversation.teamId, data: messageData(conversation, saved) });
    return saved;
  }

  /** Merges `metadata` into the conversation's (jsonb `||`, so concurrent keys are not lost). */
  async mergeMetadata(em: EntityManager | undefined, conversation: Conversation, metadata: Record<string, unknown>): Promise<void> {
    await (em ?? this.dataSource.manager).query('UPDATE conversation SET metadata = metadata || $2::jsonb WHERE id = $1', [conversation.id, JSON.stringify(metadata)]);
    conversation.metadata = { ...conversation.metadata, ...metadata };
  }

  findById(conversationId: string): Promise<Conversation | null> {
    return this.conversations.findOneBy({ id: conversationId });
  }

  findMessage(messageId: string): Promise<Message | null> {
    return this.messages.findOneBy({ id: messageId });
  }

  /** Records how many parts of a split reply reached the platform (a retry skips them). */
  async markDelivered(messageId: string, parts: number): Promise<void> {
    await this.dataSource.query(`UPDATE message SET metadata = metadata || jsonb_build_object('deliveredParts', $2::int) WHERE id = $1`, [messageId, parts]);
  }

  async remember(em: EntityManager, conversation: Conversation, memories: RuntimeMemory[]): Promise<void> {
    for (const m of memories) {
      const saved = await em.getRepository(AgentMemory).save(
        em.getRepository(AgentMemory).create({
          teamId: conversation.teamId,
          agentId: conversation.agentId,
          conversationId: conversation.id,
          type: m.type,
          content: m.content,
          importance: m.importance ?? null,
        }),
      );
      await this.events.publish(em, { type: 'memory.created', teamId: conversation.teamId, data: memoryData(saved) });
    }
  }

  async complete(em: EntityManager, conversation: Conversation, reason: 'idle' | 'reset'): Promise<void> {
    const res = await em
      .getRepository(Conversation)
      .update({ id: conversation.id, status: 'open' }, { status: 'completed', completedAt: this.clock.now() });
    if (!res.affected) return;
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
      const idle = await this.conversations.find({ where: { status: 'open', lastMessageAt: LessThan(cutoff) }, take: batch });
      if (!idle.length) return total;
      for (const c of idle) await this.dataSource.transaction((em) => this.complete(em, c, 'idle'));
      total += idle.length;
    }
  }

  // ---- admin API ----------------------------------------------------------------------------------------------

  list(teamId: string, agentId: string, query: PageQuery & { platform?: string; status?: string }): Promise<Page<Conversation>> {
    const qb = this.conversations.createQueryBuilder('c').where('c.teamId = :teamId AND c.agentId = :agentId', { teamId, agentId });
    if (query.platform) qb.andWhere('c.platform = :platform', { platform: query.platform });
    if (query.status) qb.andWhere('c.status = :status', { status: query.status });
    return paginate(qb, query);
  }

  async get(teamId: string, agentId: string, conversationId: string): Promise<Conversation> {
    const c = await this.conversations.findOneBy({ id: conversationId, teamId, agentId });
    if (!c) throw new NotFound('conversation');
    return c;
  }

  /** Messages oldest first, paginated forward. */
  async listMessages(teamId: string, agentId: string, conversationId: string, query: PageQuery): Promise<Page<Message>> {
    await this.get(teamId, agentId, conversationId);
    const limit = query.limit ?? 50;
    const qb = this.messages.createQueryBuilder('m').where('m.conversationId = :conversationId', { conversationId });
    if (query.cursor) {
      const seq = Buffer.from(query.cursor, 'base64url').toString('utf8');
      if (!/^\d{1,19}$/.test(seq)) throw new ValidationFailed('cursor is not valid', [{ field: 'cursor', messages: ['cursor is not valid'] }]);
      qb.andWhere('m.seq > :seq', { seq });
    }
    const rows = await qb.orderBy('m.seq', 'ASC').limit(limit + 1).getMany();
    const data = rows.slice(0, limit);
    const last = data[data.length - 1];
    return { data, nextCursor: rows.length > limit && last ? Buffer.from(last.seq).toString('base64url') : null };
  }
}

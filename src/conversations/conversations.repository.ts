import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, LessThan, Repository } from 'typeorm';
import { Page, PageQuery, paginate } from '../common/pagination';
import { AgentMemory } from './entities/agent-memory.entity';
import { Conversation } from './entities/conversation.entity';

/** What names a conversation at its platform: the open one for a key is found again, or a new one opened. */
export interface ConversationKey {
  teamId: string;
  agentId: string;
  connectionId: string | null;
  platform: string;
  chatId: string;
  threadId: string | null;
}

/** A platform conversation's key (it always has a connection). */
export type PlatformConversationKey = ConversationKey & { connectionId: string };

/** A memory an agent's runtime returned, as stored. */
export type NewAgentMemory = Pick<AgentMemory, 'teamId' | 'agentId' | 'conversationId' | 'type' | 'content' | 'importance'>;

/**
 * The conversation and agent_memory tables' statements; methods taking `em` run in the caller's transaction. Platform
 * messages of many conversations at the same moment find and open their conversations with one statement each
 * (`findOpenMany`, `openMany`).
 */
@Injectable()
export class ConversationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(em?: EntityManager): Repository<Conversation> {
    return (em ?? this.dataSource.manager).getRepository(Conversation);
  }

  /** The newest open conversation for the key. */
  findOpen(em: EntityManager, key: ConversationKey): Promise<Conversation | null> {
    return this.repo(em).findOne({
      where: {
        agentId: key.agentId,
        connectionId: key.connectionId ?? IsNull(),
        externalChatId: key.chatId,
        externalThreadId: key.threadId ?? IsNull(),
        status: 'open',
      },
      order: { startedAt: 'DESC' },
    });
  }

  /** Opens a conversation for the key. */
  open(em: EntityManager, key: ConversationKey): Promise<Conversation> {
    const repo = this.repo(em);
    return repo.save(
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
  }

  /** The newest open conversation of each key that has one, in one statement (in no particular order). */
  async findOpenMany(em: EntityManager, keys: readonly PlatformConversationKey[]): Promise<Conversation[]> {
    const rows = (await em.query(
      `SELECT DISTINCT ON (c.agent_id, c.connection_id, c.external_chat_id, c.external_thread_id) c.*
       FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[]) AS k(agent_id, connection_id, chat_id, thread_id)
       JOIN conversation c ON c.connection_id = k.connection_id AND c.external_chat_id = k.chat_id AND c.agent_id = k.agent_id
         AND c.external_thread_id IS NOT DISTINCT FROM k.thread_id AND c.status = 'open'
       ORDER BY c.agent_id, c.connection_id, c.external_chat_id, c.external_thread_id, c.started_at DESC`,
      [keys.map((k) => k.agentId), keys.map((k) => k.connectionId), keys.map((k) => k.chatId), keys.map((k) => k.threadId ?? null)],
    )) as Record<string, unknown>[];
    return rows.map(toConversation);
  }

  /** Opens a conversation for each key, in one statement (in no particular order). */
  async openMany(em: EntityManager, keys: readonly PlatformConversationKey[]): Promise<Conversation[]> {
    const rows = (await em.query(
      `INSERT INTO conversation (team_id, agent_id, connection_id, platform, external_chat_id, external_thread_id, status)
       SELECT *, 'open'::conversation_status FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::varchar[], $5::varchar[], $6::varchar[])
       RETURNING *`,
      [keys.map((k) => k.teamId), keys.map((k) => k.agentId), keys.map((k) => k.connectionId), keys.map((k) => k.platform), keys.map((k) => k.chatId), keys.map((k) => k.threadId ?? null)],
    )) as Record<string, unknown>[];
    return rows.map(toConversation);
  }

  /** Merges `metadata` into the conversation's (jsonb `||`, so concurrent keys are not lost). */
  async mergeMetadata(id: string, metadata: Record<string, unknown>, em?: EntityManager): Promise<void> {
    await (em ?? this.dataSource.manager).query('UPDATE conversation SET metadata = metadata || $2::jsonb WHERE id = $1', [id, JSON.stringify(metadata)]);
  }

  findById(id: string): Promise<Conversation | null> {
    return this.repo().findOneBy({ id });
  }

  /** The agent's conversation (another team's or agent's is null). */
  find(teamId: string, agentId: string, id: string): Promise<Conversation | null> {
    return this.repo().findOneBy({ id, teamId, agentId });
  }

  /** Completes the conversation if it is open; false when it was not. */
  async complete(em: EntityManager, id: string, completedAt: Date): Promise<boolean> {
    const res = await this.repo(em).update({ id, status: 'open' }, { status: 'completed', completedAt });
    return !!res.affected;
  }

  /** Up to `limit` open conversations whose last message is older than `cutoff`. */
  findIdle(cutoff: Date, limit: number): Promise<Conversation[]> {
    return this.repo().find({ where: { status: 'open', lastMessageAt: LessThan(cutoff) }, take: limit });
  }

  /** The agent's conversations, newest first. */
  list(teamId: string, agentId: string, query: PageQuery & { platform?: string; status?: string }): Promise<Page<Conversation>> {
    const qb = this.repo().createQueryBuilder('c').where('c.teamId = :teamId AND c.agentId = :agentId', { teamId, agentId });
    if (query.platform) qb.andWhere('c.platform = :platform', { platform: query.platform });
    if (query.status) qb.andWhere('c.status = :status', { status: query.status });
    return paginate(qb, query);
  }

  /** Stores one memory of the conversation's agent. */
  saveMemory(em: EntityManager, memory: NewAgentMemory): Promise<AgentMemory> {
    const repo = em.getRepository(AgentMemory);
    return repo.save(repo.create(memory));
  }
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

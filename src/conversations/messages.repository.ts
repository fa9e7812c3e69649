import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Message, MessageRole, MessageSender } from './entities/message.entity';

/** One message to store. */
export interface NewMessage {
  role: MessageRole;
  content: string;
  sender?: MessageSender | null;
  externalMessageId?: string | null;
  metadata?: Record<string, unknown>;
}

/** A message of a platform turn: its id chosen beforehand, the inbound event it is linked to (and that event's error). */
export interface LinkedMessage {
  id: string;
  conversationId: string;
  role: MessageRole;
  content: string;
  sender: MessageSender | null;
  externalMessageId: string | null;
  metadata: Record<string, unknown>;
  eventId: string;
  error: string | null;
}

/**
 * How `insertLinked` links each message's inbound event: `conversation` sets the event's conversation (the user's
 * message), `reply` its reply message and error (the agent's reply).
 */
export type EventLink = 'conversation' | 'reply';

const LINK_SQL: Record<EventLink, string> = {
  conversation: `UPDATE inbound_event SET conversation_id = v.conversation_id FROM v WHERE inbound_event.id = v.event_id`,
  reply: `UPDATE inbound_event SET reply_message_id = v.id, error = v.error FROM v WHERE inbound_event.id = v.event_id`,
};

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
 * The message table's statements; methods taking `em` run in the caller's transaction. Storing a message moves its
 * conversation's last_message_at in the same statement. (A conversation's recent history, read for every agent turn,
 * is MessageHistoryRepository's.)
 */
@Injectable()
export class MessagesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores a message and moves the conversation's last_message_at, in one statement. */
  async append(em: EntityManager, conversationId: string, msg: NewMessage): Promise<Message> {
    const params: unknown[] = [conversationId, msg.role, msg.content, msg.sender ? JSON.stringify(msg.sender) : null, msg.externalMessageId ?? null, JSON.stringify(msg.metadata ?? {})];
    const [row] = (await em.query(
      `WITH m AS (
         INSERT INTO message (conversation_id, role, content, sender, external_message_id, metadata)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *
       ), c AS (
         UPDATE conversation SET last_message_at = (SELECT created_at FROM m), updated_at = now() WHERE id = $1
       )
       SELECT id, seq, conversation_id, role, content, external_message_id, sender, created_at, metadata FROM m`,
      params,
    )) as MessageRow[];
    return toMessage(row);
  }

  /**
   * Inserts the messages, moves each conversation's last_message_at and links each message's inbound event (`link`),
   * in one statement. Returns the messages in the order given.
   */
  async insertLinked(em: EntityManager, rows: readonly LinkedMessage[], link: EventLink): Promise<Message[]> {
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
       ), e AS (${LINK_SQL[link]})
       SELECT id, seq, conversation_id, role, content, external_message_id, sender, created_at, metadata FROM m`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.conversationId),
        rows.map((r) => r.role),
        rows.map((r) => r.content),
        rows.map((r) => (r.sender ? JSON.stringify(r.sender) : null)),
        rows.map((r) => r.externalMessageId),
        rows.map((r) => JSON.stringify(r.metadata)),
        rows.map((r) => r.eventId),
        rows.map((r) => r.error),
        rows.map((_, n) => n),
      ],
    )) as MessageRow[];
    const byId = new Map(inserted.map((r) => [r.id, r]));
    return rows.map((r) => toMessage(byId.get(r.id) as MessageRow));
  }

  findById(id: string): Promise<Message | null> {
    return this.dataSource.manager.getRepository(Message).findOneBy({ id });
  }

  /** Records how many parts of a split reply reached the platform. */
  async markDelivered(id: string, parts: number): Promise<void> {
    await this.dataSource.query(`UPDATE message SET metadata = metadata || jsonb_build_object('deliveredParts', $2::int) WHERE id = $1`, [id, parts]);
  }

  /** Up to `limit` messages of the conversation after `afterSeq` (all when undefined), oldest first. */
  after(conversationId: string, afterSeq: string | undefined, limit: number): Promise<Message[]> {
    const qb = this.dataSource.manager.getRepository(Message).createQueryBuilder('m').where('m.conversationId = :conversationId', { conversationId });
    if (afterSeq !== undefined) qb.andWhere('m.seq > :seq', { seq: afterSeq });
    return qb.orderBy('m.seq', 'ASC').limit(limit).getMany();
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

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { ReplyAction } from '../../agents/runtimes/runtime.types';
import { ActionUser, MessageAction, MessageActionStatus } from './entities/message-action.entity';

export interface NewMessageAction {
  teamId: string;
  agentId: string;
  connectionId: string;
  conversationId: string;
  messageId: string;
  platform: string;
  chatId: string;
  threadId: string | null;
  text: string;
  actions: ReplyAction[];
  approvers: string[] | null;
  isApproval: boolean;
  expiresInS: number | null;
  /** Chosen beforehand when the buttons went out before the message was stored (proactive messages). */
  id?: string;
}

const COLUMNS = `id, team_id, agent_id, connection_id, conversation_id, message_id, platform, chat_id, thread_id, external_message_id,
  text, actions, is_approval, approvers, expires_at, status, decided_action_id, decided_by, decided_event_id, decided_at, created_at`;

/** The SQL of message_action (see the entity). */
@Injectable()
export class MessageActionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The set of buttons of a reply: created on the first send, found again on a retry (one per message). */
  async ensure(a: NewMessageAction): Promise<MessageAction> {
    const rows = (await this.dataSource.query(
      `WITH ins AS (
         INSERT INTO message_action (id, team_id, agent_id, connection_id, conversation_id, message_id, platform, chat_id, thread_id, text, actions,
                                     is_approval, approvers, expires_at)
         VALUES (COALESCE($14::uuid, gen_random_uuid()), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12::jsonb,
                 CASE WHEN $13::int IS NULL THEN NULL ELSE now() + make_interval(secs => $13::int) END)
         ON CONFLICT (message_id) DO NOTHING
         RETURNING ${COLUMNS}
       )
       SELECT * FROM ins UNION ALL SELECT ${COLUMNS} FROM message_action WHERE message_id = $5 LIMIT 1`,
      [
        a.teamId,
        a.agentId,
        a.connectionId,
        a.conversationId,
        a.messageId,
        a.platform,
        a.chatId,
        a.threadId,
        a.text,
        JSON.stringify(a.actions),
        a.isApproval,
        a.approvers ? JSON.stringify(a.approvers) : null,
        a.expiresInS,
        a.id ?? null,
      ],
    )) as Record<string, unknown>[];
    return toAction(rows[0]);
  }

  async setExternalMessageId(id: string, externalMessageId: string): Promise<void> {
    await this.dataSource.query(`UPDATE message_action SET external_message_id = $2 WHERE id = $1`, [id, externalMessageId]);
  }

  /** A connection's set by id (another connection's is "not found"). */
  async find(id: string, connectionId: string): Promise<MessageAction | undefined> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM message_action WHERE id = $1 AND connection_id = $2`, [id, connectionId])) as Record<string, unknown>[];
    return rows[0] ? toAction(rows[0]) : undefined;
  }

  /**
   * Decides the set once: only while it is pending and not past its expiry — or again for the same inbound event (a
   * retry of the click that decided it). Returns the row when this call (or that event) decided it.
   */
  async decide(em: EntityManager, id: string, eventId: string, actionId: string, user: ActionUser): Promise<MessageAction | undefined> {
    const [rows] = (await em.query(
      `UPDATE message_action SET status = 'decided', decided_action_id = $3, decided_by = $4::jsonb, decided_event_id = $2, decided_at = now()
       WHERE id = $1 AND ((status = 'pending' AND (expires_at IS NULL OR expires_at > now())) OR decided_event_id = $2)
       RETURNING ${COLUMNS}`,
      [id, eventId, actionId, JSON.stringify(user)],
    )) as [Record<string, unknown>[], number];
    return rows[0] ? toAction(rows[0]) : undefined;
  }

  /** Expires up to `limit` pending sets whose time is up (skipping rows another sweep or a click holds). */
  async expireDue(em: EntityManager, limit: number): Promise<MessageAction[]> {
    const [rows] = (await em.query(
      `UPDATE message_action SET status = 'expired', decided_at = now()
       WHERE id IN (SELECT id FROM message_action WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= now()
                    ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [limit],
    )) as [Record<string, unknown>[], number];
    return rows.map(toAction);
  }
}

function toAction(r: Record<string, unknown>): MessageAction {
  return Object.assign(new MessageAction(), {
    id: r.id,
    teamId: r.team_id,
    agentId: r.agent_id,
    connectionId: r.connection_id,
    conversationId: r.conversation_id,
    messageId: r.message_id,
    platform: r.platform,
    chatId: r.chat_id,
    threadId: r.thread_id,
    externalMessageId: r.external_message_id,
    text: r.text,
    actions: r.actions as ReplyAction[],
    isApproval: r.is_approval,
    approvers: r.approvers as string[] | null,
    expiresAt: r.expires_at as Date | null,
    status: r.status as MessageActionStatus,
    decidedActionId: r.decided_action_id,
    decidedBy: r.decided_by as ActionUser | null,
    decidedEventId: r.decided_event_id,
    decidedAt: r.decided_at as Date | null,
    createdAt: r.created_at,
  } as Partial<MessageAction>);
}

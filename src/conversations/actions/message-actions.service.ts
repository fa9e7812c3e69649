import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ReplyAction, ReplyApproval, RuntimeAction } from '../../agents/runtimes/runtime.types';
import type { IncomingClick, OutgoingActions } from '../../connections/platform-connector';
import { Clock } from '../../common/clock';
import { EventPublisher } from '../../events/event-publisher';
import { Conversation } from '../entities/conversation.entity';
import { Message } from '../entities/message.entity';
import { ActionUser, MessageAction } from './entities/message-action.entity';
import { MessageActionsRepository, NewMessageAction } from './message-actions.repository';

/** `<message_action id>.<button index>`: what a Telegram callback_data or a Slack button value carries (≤ 64 bytes). */
const TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,2})$/;

export const CLICK_TEXT = {
  unknown: 'Sorry — this button is no longer available.',
  expired: 'Sorry — this request has expired; nothing was changed.',
  notApprover: 'Sorry — only the people asked to approve this can decide it. Nothing was changed.',
  decided: (a: MessageAction): string => `Already decided: ${outcomeLine(a)}. Nothing was changed.`,
  accepted: (label: string): string => `You chose “${label}”.`,
};

export type ClickResult =
  /** This click decided the set: the agent gets a turn with `action`. `again`: a retry of the event that decided it. */
  | { kind: 'accepted'; set: MessageAction; action: RuntimeAction; again: boolean }
  /** Refused (unknown, stale, expired, not an approver): answered politely, nothing changes. */
  | { kind: 'refused'; text: string; reason: string };

/** Who chose what (or that it expired), as shown in the edited message. */
export function outcomeLine(a: MessageAction): string {
  if (a.status === 'expired') return '⌛ Expired — no decision was made';
  const chosen = a.actions.find((x) => x.id === a.decidedActionId);
  const who = a.decidedBy?.name ?? (a.decidedBy?.username ? `@${a.decidedBy.username}` : (a.decidedBy?.id ?? 'someone'));
  return `${a.isApproval ? '✅' : '☑️'} ${who} chose “${chosen?.label ?? a.decidedActionId}”`;
}

/**
 * Buttons under agent replies and approvals (README "Buttons and approvals"). The platform never sees the agent's
 * action ids or values: each button carries an opaque token mapped back here. Decisions are conditional UPDATEs, and
 * their events (`message.action`, `approval.decided`) are published in the same transaction.
 */
@Injectable()
export class MessageActionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: MessageActionsRepository,
    private readonly events: EventPublisher,
    private readonly clock: Clock,
  ) {}

  /** The stored set of a reply that offers buttons (created on the first send, the same one on a retry). */
  async prepare(conversation: Conversation, reply: Message, offered: { actions: ReplyAction[]; approval?: ReplyApproval }): Promise<{ set: MessageAction; outgoing: OutgoingActions }> {
    const set = await this.repo.ensure({
      teamId: conversation.teamId,
      agentId: conversation.agentId,
      connectionId: conversation.connectionId as string,
      conversationId: conversation.id,
      messageId: reply.id,
      platform: conversation.platform,
      chatId: conversation.externalChatId,
      threadId: conversation.externalThreadId,
      text: reply.content,
      actions: offered.actions,
      isApproval: !!offered.approval,
      approvers: offered.approval?.approvers ?? null,
      expiresInS: offered.approval?.expiresInS ?? null,
    });
    return { set, outgoing: { buttons: set.actions.map((a, i) => ({ token: `${set.id}.${i}`, label: a.label, ...(a.style ? { style: a.style } : {}) })) } };
  }

  /**
   * Buttons sent before their message was stored (a proactive message goes out first, then is stored): the set is
   * recorded under the id its buttons already carry. A click in between finds no set and is answered politely.
   */
  async recordSentSet(a: NewMessageAction & { id: string }, externalMessageId: string | undefined): Promise<void> {
    const set = await this.repo.ensure(a);
    if (externalMessageId) await this.repo.setExternalMessageId(set.id, externalMessageId);
  }

  recordSent(set: MessageAction, externalMessageId: string): Promise<void> {
    return this.repo.setExternalMessageId(set.id, externalMessageId);
  }

  /**
   * What a click would come to, read-only: for platforms that must answer at once, before the click is processed in
   * its conversation's order (Telegram's answerCallbackQuery). `resolve` decides for real.
   */
  async precheck(click: Pick<IncomingClick, 'token' | 'connectionId' | 'chatId' | 'user'>): Promise<{ refused: boolean; text: string }> {
    const v = await this.verdict(click);
    return 'refused' in v ? { refused: true, text: v.refused.text } : { refused: false, text: CLICK_TEXT.accepted(v.action.label) };
  }

  /** Maps a click to its set and decides it once; `eventId` is the stored inbound event of the click. */
  async resolve(click: IncomingClick, eventId: string): Promise<ClickResult> {
    const v = await this.verdict(click, eventId);
    if ('refused' in v) return v.refused;
    const { set, action, user } = v;
    if (set.decidedEventId === eventId) return { kind: 'accepted', set, action: this.runtimeAction(set, action, user), again: true };
    const decided = await this.dataSource.transaction(async (em) => {
      const row = await this.repo.decide(em, set.id, eventId, action.id, user);
      if (!row) return undefined;
      const at = row.decidedAt ?? this.clock.now();
      await this.events.publish(em, {
        type: 'message.action',
        teamId: row.teamId,
        data: { ...refData(row), action_id: action.id, label: action.label, value: action.value ?? null, user, approval_id: row.isApproval ? row.id : null, clicked_at: at },
      });
      if (row.isApproval) await this.events.publish(em, { type: 'approval.decided', teamId: row.teamId, data: approvalData(row) });
      return row;
    });
    if (!decided) {
      // someone else's click (or the expiry sweep) got there first
      const now = await this.repo.find(set.id, click.connectionId);
      return { kind: 'refused', text: now?.status === 'decided' ? CLICK_TEXT.decided(now) : CLICK_TEXT.expired, reason: 'already decided' };
    }
    return { kind: 'accepted', set: decided, action: this.runtimeAction(decided, action, user), again: false };
  }

  /** The set and button a click names, and whether this user may decide it now (a retry of the deciding event may). */
  private async verdict(
    click: Pick<IncomingClick, 'token' | 'connectionId' | 'chatId' | 'user'>,
    eventId?: string,
  ): Promise<{ set: MessageAction; action: ReplyAction; user: ActionUser } | { refused: Extract<ClickResult, { kind: 'refused' }> }> {
    const refuse = (text: string, reason: string) => ({ refused: { kind: 'refused' as const, text, reason } });
    const m = TOKEN.exec(click.token);
    const set = m ? await this.repo.find(m[1], click.connectionId) : undefined;
    const action = set && m ? set.actions[Number(m[2])] : undefined;
    if (!set || !action || set.chatId !== click.chatId) return refuse(CLICK_TEXT.unknown, 'unknown button');
    const user: ActionUser = { id: click.user.id, ...(click.user.name ? { name: click.user.name } : {}), ...(click.user.username ? { username: click.user.username } : {}) };
    if (eventId && set.decidedEventId === eventId) return { set, action, user };
    if (set.status === 'decided') return refuse(CLICK_TEXT.decided(set), 'already decided');
    if (set.status === 'expired' || (set.expiresAt && set.expiresAt.getTime() <= this.clock.nowMs())) return refuse(CLICK_TEXT.expired, 'expired');
    if (set.approvers && !set.approvers.includes(click.user.id)) return refuse(CLICK_TEXT.notApprover, `user ${click.user.id} is not an approver`);
    return { set, action, user };
  }

  /** Expires due approvals (one batch), publishing `approval.decided` with `status: "expired"` for each. */
  expireDue(limit = 100): Promise<MessageAction[]> {
    return this.dataSource.transaction(async (em) => {
      const rows = await this.repo.expireDue(em, limit);
      for (const row of rows) await this.events.publish(em, { type: 'approval.decided', teamId: row.teamId, data: approvalData(row) });
      return rows;
    });
  }

  private runtimeAction(set: MessageAction, action: ReplyAction, user: ActionUser): RuntimeAction {
    return {
      type: 'action',
      actionId: action.id,
      label: action.label,
      value: action.value ?? null,
      user,
      ...(set.isApproval ? { approval: { approvalId: set.id, decision: action.id } } : {}),
    };
  }
}

function refData(a: MessageAction): Record<string, unknown> {
  return { message_id: a.messageId, conversation_id: a.conversationId, agent_id: a.agentId, connection_id: a.connectionId, platform: a.platform };
}

function approvalData(a: MessageAction): Record<string, unknown> {
  const chosen = a.actions.find((x) => x.id === a.decidedActionId);
  return {
    approval_id: a.id,
    ...refData(a),
    status: a.status,
    decision: a.status === 'expired' ? 'expired' : a.decidedActionId,
    action_id: a.status === 'expired' ? null : a.decidedActionId,
    label: chosen?.label ?? null,
    value: chosen?.value ?? null,
    decided_by: a.status === 'expired' ? null : a.decidedBy,
    approvers: a.approvers,
    expires_at: a.expiresAt,
    decided_at: a.decidedAt,
  };
}

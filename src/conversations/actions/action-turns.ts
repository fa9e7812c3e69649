import { Injectable, Logger } from '@nestjs/common';
import { describeAction } from '../../agents/runtimes/reply-actions';
import type { ReplyAction, ReplyApproval } from '../../agents/runtimes/runtime.types';
import { ConnectorRegistry } from '../../connections/connector-registry';
import { ConnectionsService } from '../../connections/connections.service';
import {
  ConnectorContext,
  IncomingClick,
  IncomingMessage,
  InboundConnector,
  OutgoingActions,
  PlatformConnector,
  isInboundConnector,
  scrubSecrets,
} from '../../connections/platform-connector';
import { ConversationsService } from '../conversations.service';
import { Conversation } from '../entities/conversation.entity';
import { Message } from '../entities/message.entity';
import { MessageAction } from './entities/message-action.entity';
import { CLICK_TEXT, MessageActionsService, outcomeLine } from './message-actions.service';

type Connector = PlatformConnector & InboundConnector;

/** How much of the message with the buttons a click quotes when that message's conversation has ended. */
const QUOTE_MAX = 500;

/**
 * The pipeline's side of buttons: the buttons of a reply before it is sent, and a click turned into the agent's next
 * turn (acknowledged, decided once, the message redrawn with who chose what). Platform calls here are best effort:
 * a failed acknowledgement or edit is logged and never fails the click.
 */
@Injectable()
export class ActionTurns {
  private readonly logger = new Logger('ActionTurns');

  constructor(
    private readonly actions: MessageActionsService,
    private readonly connections: ConnectionsService,
    private readonly registry: ConnectorRegistry,
    private readonly conversations: ConversationsService,
  ) {}

  /** The stored buttons of a reply whose runtime offered some (metadata.actions), ready for connector.send. */
  async prepare(conversation: Conversation, reply: Message): Promise<{ set: MessageAction; outgoing: OutgoingActions } | undefined> {
    const actions = reply.metadata?.actions as ReplyAction[] | undefined;
    if (!Array.isArray(actions) || !actions.length || !conversation.connectionId) return undefined;
    return this.actions.prepare(conversation, reply, { actions, approval: reply.metadata?.approval as ReplyApproval | undefined });
  }

  async recordSent(set: MessageAction, externalMessageId: string | undefined): Promise<void> {
    if (externalMessageId) await this.actions.recordSent(set, externalMessageId);
  }

  /** What a click would come to (read-only), for platforms that answer clicks at ingest (Telegram). */
  precheck(click: Pick<IncomingClick, 'token' | 'connectionId' | 'chatId' | 'user'>): Promise<{ refused: boolean; text: string }> {
    return this.actions.precheck(click);
  }

  /**
   * A click: decided once (or refused politely: unknown, stale, expired, not an approver — nothing changes), answered
   * (connectors that answer at ingest, like Telegram, have no answerClick), the message redrawn, and — when accepted —
   * the message the agent answers, with `action` set.
   */
  async click(eventId: string, connector: Connector, ctx: ConnectorContext, click: IncomingClick): Promise<{ message: IncomingMessage } | { ignored: string }> {
    const r = await this.actions.resolve(click, eventId);
    if (r.kind === 'refused') {
      await this.bestEffort(ctx, 'answer a click', connector.answerClick?.(ctx, click, r.text, true));
      return { ignored: `button click refused: ${r.reason}` };
    }
    if (!r.again) {
      await this.bestEffort(ctx, 'answer a click', connector.answerClick?.(ctx, click, CLICK_TEXT.accepted(r.action.label), false));
      await this.showOutcome(connector, ctx, r.set);
    }
    return {
      message: {
        connectionId: ctx.connection.id,
        chatId: r.set.chatId,
        threadId: r.set.threadId,
        sender: click.user,
        text: `${describeAction(r.action)}${await this.endedContext(r.set)}`,
        attachments: [],
        context: (click.context?.replyContext as Record<string, unknown> | undefined) ?? {},
        action: r.action,
      },
    };
  }

  /**
   * A click on buttons whose conversation has ended (idle, or /reset) starts a new one: the agent would see the click
   * without what was asked, so the message that carried the buttons is quoted. Empty while that conversation is open.
   */
  private async endedContext(set: MessageAction): Promise<string> {
    const c = await this.conversations.findById(set.conversationId);
    if (c?.status === 'open') return '';
    const quote = set.text.length > QUOTE_MAX ? `${set.text.slice(0, QUOTE_MAX)}…` : set.text;
    return `\n(The buttons were under this message of an earlier conversation, which has ended: "${quote}")`;
  }

  /** The scheduled sweep: expires due approvals and redraws their messages. Returns how many expired. */
  async expireDue(): Promise<number> {
    const rows = await this.actions.expireDue();
    for (const row of rows) {
      const connection = await this.connections.findById(row.connectionId);
      if (!connection || connection.status !== 'active' || !row.externalMessageId) continue;
      const connector = this.registry.get(connection.platform);
      if (!isInboundConnector(connector)) continue;
      try {
        const ctx = { connection, credentials: await this.connections.credentialsOf(connection) };
        await this.showOutcome(connector, ctx, row);
      } catch (e) {
        this.logger.warn(`approval ${row.id} expired; its message could not be updated: ${e instanceof Error ? e.constructor.name : 'error'}`);
      }
    }
    return rows.length;
  }

  private async showOutcome(connector: Connector, ctx: ConnectorContext, set: MessageAction): Promise<void> {
    if (!set.externalMessageId) return;
    const ref = { chatId: set.chatId, threadId: set.threadId, messageId: set.externalMessageId, text: set.text };
    await this.bestEffort(ctx, 'update the message with buttons', connector.showActionOutcome?.(ctx, ref, outcomeLine(set)));
  }

  private async bestEffort(ctx: ConnectorContext, what: string, p: Promise<void> | undefined): Promise<void> {
    try {
      await p;
    } catch (e) {
      // platform client errors may quote a URL with the token
      this.logger.warn(`could not ${what}: ${scrubSecrets(e instanceof Error ? e.message : String(e), ctx.credentials)}`);
    }
  }
}

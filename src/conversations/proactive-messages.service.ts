import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import { Conflict, DomainError, ErrorCode, NotFound, RateLimited, Unprocessable, UpstreamUnavailable } from '../common/errors';
import { ConnectorRegistry } from '../connections/connector-registry';
import { ConnectionsService } from '../connections/connections.service';
import { PlatformConnection } from '../connections/entities/platform-connection.entity';
import { InvalidCredentialsError, IncomingMessage, PermanentSendError, RetryLaterError, isInboundConnector, scrubSecrets } from '../connections/platform-connector';
import { ConversationsService } from './conversations.service';
import type { ReplyAction } from '../agents/runtimes/runtime.types';
import { MessageActionsService } from './actions/message-actions.service';
import { Ids } from '../common/ids';
import type { OutgoingActions } from '../connections/platform-connector';

/** A message the agent starts: a chat of one of its connections, Markdown text, optional buttons (not sent yet). */
export interface ProactiveMessage {
  connectionId: string;
  chatId: string;
  threadId?: string | null;
  text: string;
  actions?: { id: string; label: string; style?: string; value?: string }[];
  /** Merged into the stored message's metadata (e.g. the job run that produced it). */
  metadata?: Record<string, unknown>;
}

export interface SentMessage {
  messageId: string;
  conversationId: string;
  externalMessageId: string | null;
  parts: number;
}

/** The platform asked us to wait (429) before every part went out. */
export class PlatformRateLimited extends RateLimited {
  constructor(
    message: string,
    retryAfterSeconds: number,
    readonly partsDelivered: number,
  ) {
    super(message, retryAfterSeconds);
  }
}

/**
 * `POST …/agents/:agentId/messages` and scheduled jobs: sends a message the agent starts through the connection's
 * connector (the same formatting and splitting as replies), then stores it as the agent's message in the chat's
 * conversation — found or opened the way inbound messages do — which publishes `message.created`.
 * Nothing is stored when nothing went out.
 */
@Injectable()
export class ProactiveMessagesService {
  private readonly logger = new Logger('ProactiveMessages');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly connections: ConnectionsService,
    private readonly registry: ConnectorRegistry,
    private readonly conversations: ConversationsService,
    private readonly actions: MessageActionsService,
    private readonly ids: Ids,
  ) {}

  /**
   * 404 when the agent is not the team's or the connection not the agent's; 409 when either is not active; a platform
   * 429 → RateLimited (Retry-After); a refusal → 422; the platform unreachable → 502.
   */
  async send(teamId: string, agentId: string, msg: ProactiveMessage): Promise<SentMessage> {
    const agent = await this.agents.get(teamId, agentId);
    const connection = await this.connections.findById(msg.connectionId);
    if (!connection || connection.teamId !== teamId || connection.agentId !== agentId) throw new NotFound('connection');
    if (agent.status !== 'active') throw new Conflict(`the agent is ${agent.status}; it sends nothing until it is active again`);
    if (connection.status !== 'active') throw new Conflict(`the connection is ${connection.status}; it sends nothing until it is active again`);
    return this.deliver(connection, msg);
  }

  private async deliver(connection: PlatformConnection, msg: ProactiveMessage): Promise<SentMessage> {
    const connector = this.registry.get(connection.platform);
    if (!isInboundConnector(connector)) throw new Unprocessable(`${connection.platform} connections cannot send messages`);
    const credentials = await this.connections.credentialsOf(connection);
    const threadId = msg.threadId ?? null;
    // no platform message to answer: the connector sends a new message to the chat (no quote, no response_url)
    const incoming: IncomingMessage = { connectionId: connection.id, chatId: msg.chatId, threadId, sender: { id: 'switchboard' }, text: '', attachments: [], context: { proactive: true } };
    let parts = 0;
    let externalMessageId: string | null = null;
    let actionsMessageId: string | undefined;
    // buttons carry the id of their set, recorded once the message is stored (a click before that is answered politely)
    const buttons = msg.actions?.length ? { setId: this.ids.uuid(), actions: msg.actions.slice(0, 10).map((a) => ({ ...a, label: a.label.slice(0, 75) })) } : undefined;
    const outgoing: OutgoingActions | undefined = buttons && {
      buttons: buttons.actions.map((a, i) => ({ token: `${buttons.setId}.${i}`, label: a.label, ...(a.style === 'primary' || a.style === 'danger' ? { style: a.style } : {}) })),
    };
    try {
      const sent = await connector.send(
        { connection, credentials },
        {
          conversationId: '',
          chatId: msg.chatId,
          threadId,
          text: msg.text,
          incoming,
          progress: { delivered: 0, markDelivered: (n) => ((parts = n), Promise.resolve()) },
          ...(outgoing ? { actions: outgoing } : {}),
        },
      );
      externalMessageId = sent.externalMessageId ?? null;
      actionsMessageId = sent.actionsMessageId;
    } catch (e) {
      if (parts > 0) await this.store(connection, msg, { parts, externalMessageId: null, partial: true }).catch(() => undefined);
      throw await this.sendError(connection, credentials, e, parts);
    }
    const stored = await this.store(connection, msg, { parts, externalMessageId, partial: false });
    if (buttons) {
      await this.actions.recordSentSet(
        {
          id: buttons.setId,
          teamId: connection.teamId,
          agentId: connection.agentId,
          connectionId: connection.id,
          conversationId: stored.conversationId,
          messageId: stored.messageId,
          platform: connection.platform,
          chatId: msg.chatId,
          threadId: msg.threadId ?? null,
          text: msg.text,
          actions: buttons.actions as ReplyAction[],
          approvers: null,
          isApproval: false,
          expiresInS: null,
        },
        actionsMessageId,
      );
    }
    return stored;
  }

  private async store(connection: PlatformConnection, msg: ProactiveMessage, sent: { parts: number; externalMessageId: string | null; partial: boolean }): Promise<SentMessage> {
    const key = { teamId: connection.teamId, agentId: connection.agentId, connectionId: connection.id, platform: connection.platform, chatId: msg.chatId, threadId: msg.threadId ?? null };
    const metadata = {
      proactive: true,
      deliveredParts: sent.parts,
      ...(sent.partial ? { partial: true } : {}),
      ...(msg.actions?.length ? { actions: msg.actions } : {}),
      ...msg.metadata,
    };
    return this.dataSource.transaction(async (em) => {
      const { conversation } = await this.conversations.findOrOpen(em, key);
      const m = await this.conversations.append(em, conversation, { role: 'assistant', content: msg.text, externalMessageId: sent.externalMessageId, metadata });
      return { messageId: m.id, conversationId: conversation.id, externalMessageId: sent.externalMessageId, parts: sent.parts };
    });
  }

  private async sendError(connection: PlatformConnection, credentials: Record<string, string>, e: unknown, parts: number): Promise<DomainError> {
    const why = scrubSecrets(e instanceof Error ? e.message : String(e), credentials);
    const partly = parts ? ` (${parts} part(s) went out and were stored)` : ' (nothing was sent or stored)';
    if (e instanceof RetryLaterError) return new PlatformRateLimited(`the platform is rate limiting this chat; retry after ${Math.ceil(e.delayMs / 1000)} s${partly}`, Math.ceil(e.delayMs / 1000), parts);
    if (e instanceof PermanentSendError) return new Unprocessable(`the platform refused the message: ${why}${partly}`);
    if (e instanceof InvalidCredentialsError) {
      await this.connections.setStatus(connection, 'error', `the platform rejected the credentials while sending: ${why}`);
      return new Unprocessable(`the platform rejected the connection's credentials: ${why}`);
    }
    if (e instanceof DomainError && e.code !== ErrorCode.INTERNAL) return e;
    this.logger.warn(`sending to connection ${connection.id} failed: ${why}`);
    return new UpstreamUnavailable(`the platform could not be reached or failed: ${why}${partly}`);
  }
}

import {
  ConnectorContext,
  IncomingMessage,
  InboundConnector,
  InvalidCredentialsError,
  PermanentSendError,
  OutgoingActions,
  PlatformConnector,
  RetryLaterError,
} from '../connections/platform-connector';
import type { Clock } from '../common/clock';
import { ConversationsService } from './conversations.service';
import { Conversation } from './entities/conversation.entity';
import { Message } from './entities/message.entity';

export type DeliveryResult =
  /** Every part went out: the caller records `parts` and the platform id with the event's end, in one statement. */
  | { kind: 'sent'; parts: number; externalMessageId: string | null; actionsMessageId?: string }
  /** The platform asked us to wait (429): the conversation holds until `until`. */
  | { kind: 'wait'; until: Date; reason: string }
  /** Can never succeed; `credentialsRejected` when the platform refused the credentials. */
  | { kind: 'failed'; reason: string; credentialsRejected?: boolean };

/**
 * Sends a stored reply through its connector, resuming after the parts an earlier attempt delivered. Errors other than
 * the platform's "wait", "never" and "bad credentials" are thrown (the caller retries the event later). How many parts
 * went out is written when the send stops short (a retry skips them); on success the caller writes it with the
 * event's end, saving a round trip per reply (a crash between a part and that write resends the part: at least once).
 */
export async function deliverReply(
  connector: PlatformConnector & InboundConnector,
  ctx: ConnectorContext,
  conversations: ConversationsService,
  turn: { conversation: Conversation; incoming: IncomingMessage; reply: Message; workingShown?: boolean; actions?: OutgoingActions },
  clock: Clock,
): Promise<DeliveryResult> {
  const { conversation, incoming, reply, actions } = turn;
  const before = Number(reply.metadata?.deliveredParts ?? 0);
  const streamed = reply.metadata?.streamedMessages;
  let delivered = before;
  try {
    const sent = await connector.send(ctx, {
      conversationId: conversation.id,
      chatId: incoming.chatId,
      threadId: incoming.threadId ?? null,
      text: reply.content,
      incoming,
      ...(Array.isArray(streamed) && streamed.length ? { streamed: streamed.map(String) } : {}),
      ...(actions ? { actions } : {}),
      progress: {
        delivered: before,
        markDelivered: (parts: number) => {
          delivered = parts;
          return Promise.resolve();
        },
      },
    });
    return { kind: 'sent', parts: delivered, externalMessageId: sent.externalMessageId ?? null, ...(sent.actionsMessageId ? { actionsMessageId: sent.actionsMessageId } : {}) };
  } catch (e) {
    if (delivered > before) await conversations.markDelivered(reply.id, delivered);
    if (e instanceof RetryLaterError) return { kind: 'wait', until: new Date(clock.nowMs() + e.delayMs), reason: e.message };
    if (e instanceof PermanentSendError) {
      if (e.conversationMetadata) await conversations.mergeMetadata(undefined, conversation, e.conversationMetadata);
      return { kind: 'failed', reason: e.message };
    }
    if (e instanceof InvalidCredentialsError) return { kind: 'failed', reason: `the platform rejected the credentials: ${e.message}`, credentialsRejected: true };
    throw e;
  } finally {
    if (turn.workingShown !== false) await connector.stopWorking?.(ctx, incoming).catch(() => undefined);
  }
}

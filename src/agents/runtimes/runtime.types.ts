import { RaisedError } from '../../common/errors';

export interface RuntimeMessage {
  role: 'user' | 'assistant' | 'system';
  content: string;
}

export interface RuntimeMemory {
  type: string;
  content: string;
  importance?: number;
}

/**
 * A file the user sent with the message being answered (the last one), downloaded from the platform for this call
 * only (never stored): `data` is base64. `http` runtimes get them as `attachments`; `openai` runtimes get images as
 * image parts (data URLs) and other files as a line naming them.
 */
export interface RuntimeAttachment {
  type: 'image' | 'audio' | 'video' | 'file';
  mimeType: string;
  name?: string;
  size: number;
  data: string;
}

export interface RuntimeRequest {
  agent: { id: string; teamId: string; name: string; slug: string; runtime: Record<string, unknown> };
  conversation: { id: string; platform: string; externalChatId: string; externalThreadId: string | null };
  /** Oldest first; the last one is the message being answered. */
  messages: RuntimeMessage[];
  /** Files of the last message (photos, documents; audio the agent does not transcribe): see RuntimeAttachment. */
  attachments?: RuntimeAttachment[];
  secrets: Record<string, string>;
  /** Set when this turn answers a button click (see reply-actions.ts); the last message describes it in words. */
  action?: RuntimeAction;
}

/** A button offered with a reply (`actions` of a runtime reply). */
export interface ReplyAction {
  id: string;
  label: string;
  style?: 'primary' | 'danger';
  value?: string;
}

/** Makes the reply's buttons an approval: only `approvers` (platform user ids; anyone when absent) decide, until it expires. */
export interface ReplyApproval {
  approvers?: string[];
  expiresInS: number;
}

/** The button a user clicked: what the agent's next turn is about. */
export interface RuntimeAction {
  type: 'action';
  actionId: string;
  label: string;
  value: string | null;
  user: { id: string; name?: string; username?: string };
  /** Set when the buttons were an approval: this click decided it. */
  approval?: { approvalId: string; decision: string };
}

export interface RuntimeReply {
  reply: string;
  memories: RuntimeMemory[];
  /** Buttons to show under the reply (checked and capped by checkReplyActions). */
  actions?: ReplyAction[];
  approval?: ReplyApproval;
}

/**
 * Why a runtime gave no answer. Network codes come from the outbound HTTP client, except that a refused connection
 * and other network failures are both UNREACHABLE; SSRF_BLOCKED means the URL resolved to a private or reserved
 * address and nothing was sent.
 */
export type RuntimeErrorCode =
  | 'SSRF_BLOCKED'
  | 'INVALID_URL'
  | 'DNS'
  | 'TIMEOUT'
  | 'TLS'
  | 'UNREACHABLE'
  | 'UPSTREAM_STATUS'
  | 'BAD_RESPONSE'
  /** A streamed answer ended (cleanly) without its final event: retried, as a cut connection is. */
  | 'STREAM_INCOMPLETE'
  | 'UNKNOWN_RUNTIME';

/**
 * A runtime failure. `transient` ones (network, timeout, 429, 5xx, a stream cut short) are retried; the others are not. The message is
 * shown to the team (chat `error`, the event's stored error): it never carries addresses, ports or a raw response.
 */
export class RuntimeError extends RaisedError<'runtime'> {
  readonly source = 'runtime';
  constructor(
    message: string,
    readonly transient: boolean,
    readonly code: RuntimeErrorCode,
  ) {
    super(message);
  }
}

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

export interface RuntimeRequest {
  agent: { id: string; teamId: string; name: string; slug: string; runtime: Record<string, unknown> };
  conversation: { id: string; platform: string; externalChatId: string; externalThreadId: string | null };
  /** Oldest first; the last one is the message being answered. */
  messages: RuntimeMessage[];
  secrets: Record<string, string>;
}

export interface RuntimeReply {
  reply: string;
  memories: RuntimeMemory[];
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
  | 'UNKNOWN_RUNTIME';

/**
 * A runtime failure. `transient` ones (network, timeout, 429, 5xx) are retried; the others are not. The message is
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

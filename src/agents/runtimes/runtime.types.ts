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

/** A runtime failure. `transient` ones (network, timeout, 429, 5xx) are retried; the others are not. */
export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

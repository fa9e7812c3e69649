import { RuntimeMemory } from './runtime.types';

/** Told the whole reply text so far, each time a streamed runtime adds to it. Must not throw. */
export type TextSink = (textSoFar: string) => void;

/** What a streamed answer came to once its body ended. */
export interface StreamOutcome {
  /** The stream said it was complete (`[DONE]` / a finish_reason; `{"done":true}`). */
  complete: boolean;
  text: string;
  memories: RuntimeMemory[];
  /** The runtime reported an error inside the stream (cleaned, at most 300 characters). */
  error?: string;
}

/** Whether a runtime may stream: `openai` with `stream: true`, and `http` (whose agent decides per answer). */
export function mayStream(runtime: { type?: unknown; stream?: unknown }): boolean {
  return (runtime.type === 'openai' && runtime.stream === true) || runtime.type === 'http';
}

/** Longest reply text a stream may build (characters). */
export const MAX_STREAMED_TEXT = 256 * 1024;

abstract class StreamState {
  text = '';
  complete = false;
  error?: string;
  overflow = false;
  memories: RuntimeMemory[] = [];

  constructor(private readonly sink?: TextSink) {}

  abstract onData(data: string): void;

  outcome(): StreamOutcome {
    return { complete: this.complete, text: this.text, memories: this.memories, ...(this.error ? { error: this.error } : {}) };
  }

  protected append(delta: string): void {
    if (!delta || this.complete || this.error) return;
    if (this.text.length + delta.length > MAX_STREAMED_TEXT) {
      this.overflow = true;
      this.error = `the streamed reply is longer than ${MAX_STREAMED_TEXT / 1024}K characters`;
      return;
    }
    this.text += delta;
    try {
      this.sink?.(this.text);
    } catch {
      // a sink is best effort by contract; never let it break the read
    }
  }
}

/** OpenAI-compatible chat completion chunks: `data: {choices:[{delta:{content}}]}` … `data: [DONE]`. */
export class OpenAiStreamState extends StreamState {
  /** A finish_reason arrived: a body that ends without `[DONE]` after it is still a whole answer. */
  finished = false;

  onData(data: string): void {
    if (this.complete) return;
    if (data.trim() === '[DONE]') {
      this.complete = true;
      return;
    }
    const j = parseJson(data) as { error?: { message?: unknown }; choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[] } | undefined;
    if (!j) return;
    if (j.error) {
      this.error ??= cleanText(typeof j.error.message === 'string' ? j.error.message : 'no details');
      return;
    }
    const choice = j.choices?.[0];
    if (typeof choice?.delta?.content === 'string') this.append(choice.delta.content);
    if (typeof choice?.finish_reason === 'string' && choice.finish_reason) this.finished = true;
  }

  override outcome(): StreamOutcome {
    return { ...super.outcome(), complete: this.complete || this.finished };
  }
}

/**
 * The `http` runtime's events: `data: {"delta":"…"}` pieces, then `data: {"done":true, "text"?, "memories"?}` (`text`,
 * when given, is the whole reply and replaces the pieces), or `data: {"error":"…"}`.
 */
export class HttpRuntimeStreamState extends StreamState {
  constructor(
    sink: TextSink | undefined,
    private readonly toMemories: (v: unknown) => RuntimeMemory[],
  ) {
    super(sink);
  }

  onData(data: string): void {
    if (this.complete) return;
    const j = parseJson(data) as { delta?: unknown; done?: unknown; text?: unknown; memories?: unknown; error?: unknown } | undefined;
    if (!j || typeof j !== 'object') return;
    if (typeof j.error === 'string' || (j.error && typeof j.error === 'object')) {
      const msg = typeof j.error === 'string' ? j.error : (j.error as { message?: unknown }).message;
      this.error ??= cleanText(typeof msg === 'string' ? msg : 'no details');
      return;
    }
    if (typeof j.delta === 'string') this.append(j.delta);
    if (j.done === true) {
      if (typeof j.text === 'string' && !this.error) {
        if (j.text.length > MAX_STREAMED_TEXT) this.error = `the streamed reply is longer than ${MAX_STREAMED_TEXT / 1024}K characters`;
        else this.text = j.text; // the final text reaches the user in the formatted final message
      }
      this.memories = this.toMemories(j.memories);
      this.complete = true;
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An error text from the runtime, safe to show to the team: control characters removed, 300 characters at most. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is being removed
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 300);
}

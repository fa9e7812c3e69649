import { FakeHttpServer, FakeHttpServerOptions, FakeResponse, isRecord, RecordedCall } from './fake-http-server';

export type AgentReplyFn = (body: Record<string, unknown>) => string | Promise<string>;

/**
 * A team's `http` agent runtime: `POST <any path>` with the signed turn; answers `{"reply"}` JSON, or with `stream`
 * on, `text/event-stream` events `data: {"delta":"…"}` (one per word, `streamDelayMs` apart) and a final
 * `data: {"done":true,"text":…}` (see README "Streamed replies").
 */
export class FakeAgentRuntime extends FakeHttpServer {
  reply: AgentReplyFn;
  stream = true;
  streamDelayMs: number;
  /** The next streamed answer ends after this many pieces with the connection destroyed (then it is cleared). */
  cutNextStreamAfter?: number;
  /** The next streamed answer sends `data: {"error": …}` after its pieces instead of `done`. */
  errorNextStream?: string;
  /** When each streamed answer sent its first piece (Date.now()), in request order. */
  readonly firstTokenAt: number[] = [];

  constructor(options: FakeHttpServerOptions & { reply?: AgentReplyFn; streamDelayMs?: number } = {}) {
    super(options);
    this.reply = options.reply ?? ((body) => `echo: ${lastUser(body)}`);
    this.streamDelayMs = options.streamDelayMs ?? 0;
  }

  protected nameOf(call: RecordedCall): string {
    return call.method === 'POST' ? 'turn' : call.path;
  }

  protected async handle(call: RecordedCall): Promise<FakeResponse> {
    if (call.method !== 'POST' || !isRecord(call.body)) return { status: 400, body: { error: 'expected a JSON turn' } };
    const text = await this.reply(call.body);
    if (!this.stream) return { status: 200, body: { reply: text } };
    const words = text.match(/\S+\s*|\s+/g) ?? [];
    const cut = this.cutNextStreamAfter;
    const error = this.errorNextStream;
    this.cutNextStreamAfter = undefined;
    this.errorNextStream = undefined;
    const slot = this.firstTokenAt.length;
    this.firstTokenAt.push(Number.NaN);
    const shown = cut === undefined ? words : words.slice(0, cut);
    const pieces = shown.map((w, i) => ({
      data: `data: ${JSON.stringify({ delta: w })}\n\n`,
      delayMs: this.streamDelayMs,
      ...(i === 0 ? { onSend: () => (this.firstTokenAt[slot] = Date.now()) } : {}),
    }));
    if (error !== undefined) pieces.push({ data: `data: ${JSON.stringify({ error })}\n\n`, delayMs: 0 });
    else if (cut === undefined) pieces.push({ data: `: final\ndata: ${JSON.stringify({ done: true, text })}\n\n`, delayMs: 0 });
    return { status: 200, stream: { pieces, cut: cut !== undefined } };
  }
}

function lastUser(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as { role?: string; content?: string }[]) : [];
  return [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
}

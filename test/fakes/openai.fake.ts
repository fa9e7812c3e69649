import { randomBytes } from 'node:crypto';
import { asString, FakeHttpServer, FakeHttpServerOptions, FakeResponse, isRecord, RecordedCall } from './fake-http-server';

export interface ChatMessage {
  role: string;
  /** Text content; array-of-parts content is flattened to its text parts. */
  content: string;
}

/** A reply with tool calls (e.g. `offer_actions`): `content` may be null, as OpenAI sends it. */
export interface ToolReply {
  content: string | null;
  toolCalls: { name: string; arguments: string }[];
}

export type ReplyFn = (messages: ChatMessage[], body: Record<string, unknown>) => string | ToolReply | Promise<string | ToolReply>;

export interface FakeOpenAiOptions extends FakeHttpServerOptions {
  requireApiKey?: string;
  reply?: ReplyFn;
  /** With `stream: true`: the pause before each content chunk (ms). */
  streamDelayMs?: number;
}

const COMPLETIONS_RE = /\/chat\/completions\/?$/;
const TRANSCRIPTIONS_RE = /\/audio\/transcriptions\/?$/;

/** The uploaded audio as the fake saw it (multipart `file` part), for `transcribe`. */
export interface UploadedAudio {
  filename: string;
  contentType?: string;
  size: number;
  model: string;
}

const openAiError = (status: number, message: string, type: string, code: string | null = null): FakeResponse => ({
  status,
  body: { error: { message, type, param: null, code } },
});

export const echoReply: ReplyFn = (messages) =>
  `echo: ${[...messages].reverse().find((m) => m.role === 'user')?.content ?? ''}`;

/** Fake OpenAI-compatible API: `POST …/chat/completions` (with or without `/v1`). Supports `stream: true`. */
export class FakeOpenAiApi extends FakeHttpServer {
  /** When set, requests must carry `Authorization: Bearer <requireApiKey>`. */
  requireApiKey?: string;
  reply: ReplyFn;
  /** `POST …/audio/transcriptions` answers `{text: transcribe(file)}`. */
  transcribe: (file: UploadedAudio) => string = (f) => `transcript of ${f.filename} (${f.size} bytes)`;
  /** With `stream: true`: the pause before each content chunk (ms); chunks are words with their trailing space. */
  streamDelayMs: number;
  /** The next streamed answer's connection is destroyed after this many content chunks (then it is cleared). */
  cutNextStreamAfter?: number;
  /** When each streamed answer sent its first content chunk (Date.now()), in request order. */
  readonly firstTokenAt: number[] = [];

  constructor(options: FakeOpenAiOptions = {}) {
    super(options);
    this.requireApiKey = options.requireApiKey;
    this.reply = options.reply ?? echoReply;
    this.streamDelayMs = options.streamDelayMs ?? 0;
  }

  protected nameOf(call: RecordedCall): string {
    if (TRANSCRIPTIONS_RE.test(call.path)) return 'audio.transcriptions';
    return COMPLETIONS_RE.test(call.path) ? 'chat.completions' : call.path;
  }

  protected override matchesName(call: RecordedCall, name: string): boolean {
    return this.nameOf(call) === name || call.path.includes(name);
  }

  protected async handle(call: RecordedCall): Promise<FakeResponse> {
    if (call.method === 'POST' && TRANSCRIPTIONS_RE.test(call.path)) return this.transcription(call);
    if (call.method !== 'POST' || !COMPLETIONS_RE.test(call.path)) {
      return openAiError(404, `Invalid URL (${call.method} ${call.path})`, 'invalid_request_error');
    }
    if (this.requireApiKey !== undefined) {
      const key = /^Bearer\s+(\S+)$/i.exec(call.headers.authorization ?? '')?.[1];
      if (key !== this.requireApiKey) {
        return key === undefined
          ? openAiError(
              401,
              "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
              'invalid_request_error',
            )
          : openAiError(
              401,
              `Incorrect API key provided: ${mask(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
              'invalid_request_error',
              'invalid_api_key',
            );
      }
    }
    if (!isRecord(call.body)) {
      return openAiError(400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
    }
    const body = call.body;
    const model = asString(body.model);
    if (!model) return openAiError(400, 'you must provide a model parameter', 'invalid_request_error');
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return openAiError(400, "'messages' is a required property", 'invalid_request_error');
    }
    const messages: ChatMessage[] = body.messages.map((m) => {
      const msg = isRecord(m) ? m : {};
      return { role: asString(msg.role) ?? 'user', content: contentText(msg.content) };
    });
    const out = await this.reply(messages, body);
    const toolReply = typeof out === 'string' ? undefined : out;
    const content = typeof out === 'string' ? out : (out.content ?? '');
    const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
    const created = Math.floor(Date.now() / 1000);
    const promptTokens = tokens(messages.map((m) => m.content).join(' '));
    const completionTokens = tokens(content);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };

    if (body.stream === true) {
      const chunk = (delta: Record<string, unknown>, finish: string | null, extra = {}): string =>
        `data: ${JSON.stringify({
          id,
          object: 'chat.completion.chunk',
          created,
          model,
          choices: [{ index: 0, delta, finish_reason: finish }],
          ...extra,
        })}\n\n`;
      const words = content.match(/\S+\s*|\s+/g) ?? [''];
      const cut = this.cutNextStreamAfter;
      this.cutNextStreamAfter = undefined;
      const shown = cut === undefined ? words : words.slice(0, cut);
      const slot = this.firstTokenAt.length;
      this.firstTokenAt.push(Number.NaN);
      const pieces = [
        { data: chunk({ role: 'assistant', content: '' }, null) },
        ...shown.map((w, i) => ({
          data: chunk({ content: w }, null),
          delayMs: this.streamDelayMs,
          ...(i === 0 ? { onSend: () => (this.firstTokenAt[slot] = Date.now()) } : {}),
        })),
        ...(cut === undefined ? [{ data: chunk({}, 'stop', { usage }) }, { data: 'data: [DONE]\n\n' }] : []),
      ];
      return { status: 200, stream: { pieces, cut: cut !== undefined } };
    }

    return {
      status: 200,
      body: {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          toolReply
            ? {
                index: 0,
                message: {
                  role: 'assistant',
                  content: toolReply.content,
                  tool_calls: toolReply.toolCalls.map((c, i) => ({ id: `call_${i}_${randomBytes(6).toString('hex')}`, type: 'function', function: { name: c.name, arguments: c.arguments } })),
                },
                logprobs: null,
                finish_reason: 'tool_calls',
              }
            : { index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' },
        ],
        usage,
      },
    };
  }

  /** `POST …/audio/transcriptions` (multipart: file, model): `{text}`; the same API key rule as chat completions. */
  private transcription(call: RecordedCall): FakeResponse {
    if (this.requireApiKey !== undefined) {
      const key = /^Bearer\s+(\S+)$/i.exec(call.headers.authorization ?? '')?.[1];
      if (key !== this.requireApiKey) return openAiError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    if (!String(call.headers['content-type'] ?? '').startsWith('multipart/form-data') || !isRecord(call.body)) {
      return openAiError(400, 'Expected multipart/form-data with a file and a model.', 'invalid_request_error');
    }
    const model = asString(call.body.model);
    const file = call.body.file;
    if (!model) return openAiError(400, 'you must provide a model parameter', 'invalid_request_error');
    if (!isRecord(file) || typeof file.filename !== 'string') return openAiError(400, "'file' is a required property", 'invalid_request_error');
    const upload: UploadedAudio = { filename: file.filename, contentType: asString(file.contentType), size: Number(file.size), model };
    return { status: 200, body: { text: this.transcribe(upload) } };
  }
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && part.type === 'text' ? (asString(part.text) ?? '') : ''))
    .join('');
}

/** Rough token estimate (≈4 characters per token), good enough for usage fields. */
function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function mask(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { OutboundHttpClient, OutboundResult } from '../../http/outbound-http-client';
import { WebhookSigner } from '../../http/signing/webhook-signer';
import { HttpRuntimeStreamState, OpenAiStreamState, StreamOutcome, TextSink } from './runtime-streams';
import { RuntimeAction, RuntimeAttachment, RuntimeError, RuntimeMemory, RuntimeMessage, RuntimeReply, RuntimeRequest } from './runtime.types';
import { SseReader } from './sse';
import { checkReplyActions, OFFER_ACTIONS_TOOL } from './reply-actions';
import { Clock } from '../../common/clock';
import { Ids } from '../../common/ids';

const MAX_REPLY_BYTES = 256 * 1024;
/** A streamed body carries its framing (SSE lines, JSON per piece) besides the text: a larger bound. */
const MAX_STREAM_BYTES = 8 * 1024 * 1024;
const isEventStream = (headers: Record<string, string>): boolean => /^text\/event-stream\b/i.test(headers['content-type'] ?? '');

/**
 * Runs an agent's runtime once. Retrying is the caller's business (RuntimeError.transient says whether to). A streamed
 * answer (`openai` with `stream: true`, an `http` agent answering `text/event-stream`) tells `sink` the text so far as
 * it grows; the returned reply is the whole text either way.
 */
@Injectable()
export class AgentRuntimeService {
  constructor(
    private readonly config: AppConfig,
    private readonly http: OutboundHttpClient,
    private readonly signer: WebhookSigner,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {}

  async reply(req: RuntimeRequest, sink?: TextSink): Promise<RuntimeReply> {
    switch (req.agent.runtime.type) {
      case 'echo':
        return { reply: this.echo(req), memories: [] };
      case 'openai':
        return this.openai(req, sink);
      case 'http':
        return this.httpRuntime(req, sink);
      default:
        throw new RuntimeError(`unknown runtime type "${String(req.agent.runtime.type)}"`, false, 'UNKNOWN_RUNTIME');
    }
  }

  private echo(req: RuntimeRequest): string {
    const last = req.messages[req.messages.length - 1]?.content ?? '';
    return last.trim() ? last : '(received your message)';
  }

  private async openai(req: RuntimeRequest, sink?: TextSink): Promise<RuntimeReply> {
    const rt = req.agent.runtime as { baseUrl: string; model: string; systemPrompt?: string; temperature?: number; historyMessages?: number; stream?: boolean; offerActions?: boolean };
    const history = req.messages.slice(-Math.max(1, (rt.historyMessages ?? 20) + 1));
    const messages: { role: string; content: unknown }[] = [...(rt.systemPrompt ? [{ role: 'system', content: rt.systemPrompt }] : []), ...withAttachmentParts(history, req.attachments)];
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (req.secrets.apiKey) headers.authorization = `Bearer ${req.secrets.apiKey}`;
    const timeoutMs = this.config.inbound.agentTimeoutMs;
    const stream = rt.stream === true ? new OpenAiStreamState(sink) : undefined;
    const reader = new SseReader((data) => stream?.onData(data));
    const res = await this.http.stream(
      {
        url: `${rt.baseUrl}/chat/completions`,
        method: 'POST',
        headers,
        body: JSON.stringify({ model: rt.model, messages, ...(rt.temperature !== undefined ? { temperature: rt.temperature } : {}), ...(stream ? { stream: true } : {}), ...(rt.offerActions ? { tools: [OFFER_ACTIONS_TOOL] } : {}) }),
        timeoutMs,
        maxResponseBytes: MAX_REPLY_BYTES,
        maxStreamedBytes: MAX_STREAM_BYTES,
      },
      (head) => (stream && head.status === 200 && isEventStream(head.headers) ? (text) => reader.feed(text) : undefined),
    );
    if (stream && res.ok && res.status === 200 && isEventStream(res.headers)) {
      reader.end();
      return streamed('the model API', stream.outcome(), res, timeoutMs);
    }
    if (stream && !res.ok && stream.text) return streamed('the model API', stream.outcome(), res, timeoutMs);
    if (!res.ok) throw noResponse('the model API', res, timeoutMs);
    if (res.status === 429 || res.status >= 500) throw new RuntimeError(`the model API answered ${res.status}`, true, 'UPSTREAM_STATUS');
    if (res.status >= 400) throw new RuntimeError(`the model API refused the request (${res.status}): ${errorMessageOf(res.body)}`, false, 'UPSTREAM_STATUS');
    if (res.truncated) throw new RuntimeError(`the model API answer is larger than ${MAX_REPLY_BYTES / 1024} KB`, false, 'BAD_RESPONSE');
    const message = (parseJson(res.body) as { choices?: { message?: { content?: unknown; tool_calls?: unknown } }[] } | undefined)?.choices?.[0]?.message;
    const offered = rt.offerActions ? offeredActions(message?.tool_calls) : {};
    const content = message?.content;
    if (typeof content === 'string' && (content.trim() || !offered.actions)) return { reply: content, memories: [], ...offered };
    if (offered.actions) return { reply: 'Please choose:', memories: [], ...offered };
    throw new RuntimeError('the model API answered without choices[0].message.content', false, 'BAD_RESPONSE');
  }

  private async httpRuntime(req: RuntimeRequest, sink?: TextSink): Promise<RuntimeReply> {
    const rt = req.agent.runtime as { url: string; timeoutMs?: number };
    const { secrets: _omit, ...visible } = req;
    const body = JSON.stringify({
      agent: { id: visible.agent.id, team_id: visible.agent.teamId, name: visible.agent.name, slug: visible.agent.slug },
      conversation: {
        id: visible.conversation.id,
        platform: visible.conversation.platform,
        chat_id: visible.conversation.externalChatId,
        thread_id: visible.conversation.externalThreadId,
      },
      messages: visible.messages,
      ...(visible.attachments?.length ? { attachments: visible.attachments } : {}),
      ...(visible.action ? { action: httpAction(visible.action) } : {}),
    });
    const msgId = `msg_${this.ids.uuid().replace(/-/g, '')}`;
    const headers = this.signer.headers({
      secrets: [req.secrets.secret],
      msgId,
      timestampSeconds: Math.floor(this.clock.nowMs() / 1000),
      body,
      eventType: 'agent.reply_requested',
    });
    headers.accept = 'application/json, text/event-stream';
    const timeoutMs = rt.timeoutMs ?? this.config.inbound.agentTimeoutMs;
    const stream = new HttpRuntimeStreamState(sink, toMemories);
    const reader = new SseReader((data) => stream.onData(data));
    const res = await this.http.stream({ url: rt.url, method: 'POST', headers, body, timeoutMs, maxResponseBytes: MAX_REPLY_BYTES, maxStreamedBytes: MAX_STREAM_BYTES }, (head) =>
      head.status >= 200 && head.status < 300 && isEventStream(head.headers) ? (text: string) => reader.feed(text) : undefined,
    );
    if (res.ok && res.status >= 200 && res.status < 300 && isEventStream(res.headers)) {
      reader.end();
      return streamed('the agent URL', stream.outcome(), res, timeoutMs);
    }
    if (!res.ok && stream.text) return streamed('the agent URL', stream.outcome(), res, timeoutMs);
    if (!res.ok) throw noResponse('the agent URL', res, timeoutMs);
    if (res.status === 429 || res.status >= 500) throw new RuntimeError(`the agent URL answered ${res.status}`, true, 'UPSTREAM_STATUS');
    if (res.status < 200 || res.status >= 300) throw new RuntimeError(`the agent URL answered ${res.status}`, false, 'UPSTREAM_STATUS');
    if (res.truncated) throw new RuntimeError(`the agent URL's answer is larger than ${MAX_REPLY_BYTES / 1024} KB`, false, 'BAD_RESPONSE');
    const parsed = parseJson(res.body) as { reply?: unknown; memories?: unknown; actions?: unknown; approval?: unknown } | undefined;
    if (!parsed || typeof parsed.reply !== 'string') throw new RuntimeError('the agent URL must answer JSON {"reply": string}', false, 'BAD_RESPONSE');
    return { reply: parsed.reply, memories: toMemories(parsed.memories), ...checkReplyActions(parsed.actions, parsed.approval, 'the agent URL answered invalid actions') };
  }
}

/**
 * A streamed answer once its body ended: the text, or why there is none. A stream cut short (network, timeout) is
 * transient — nothing was stored, so a retry asks again; an error the runtime sent, or a stream that ends without
 * saying it is complete, is not.
 */
function streamed(what: string, out: StreamOutcome, res: OutboundResult, timeoutMs: number): RuntimeReply {
  if (out.error) throw new RuntimeError(`${what} reported an error while streaming: ${out.error}`, false, 'BAD_RESPONSE');
  if (!res.ok) {
    const cause = noResponse(what, res, timeoutMs);
    throw new RuntimeError(`${what} stream was cut short after ${out.text.length} characters: ${cause.message}`, cause.transient, cause.code);
  }
  if (res.truncated) throw new RuntimeError(`${what} stream is larger than ${MAX_STREAM_BYTES / 1024 / 1024} MB`, false, 'BAD_RESPONSE');
  if (!out.complete) throw new RuntimeError(`${what} stream ended without its final event (${what === 'the model API' ? 'data: [DONE]' : 'data: {"done":true}'})`, true, 'BAD_RESPONSE');
  return { reply: out.text, memories: out.memories };
}

/**
 * A request that got no HTTP response, told in words that cannot distinguish an open port from a closed one: a
 * blocked address is refused before any connection, and refused/reset connections read the same.
 */
function noResponse(what: string, res: Extract<OutboundResult, { ok: false }>, timeoutMs: number): RuntimeError {
  switch (res.errorCode) {
    case 'SSRF_BLOCKED':
      return new RuntimeError(`${what} was not called: its URL resolves to a private or reserved address (SSRF_BLOCKED)`, false, 'SSRF_BLOCKED');
    case 'INVALID_URL':
      return new RuntimeError(`${what} was not called: its URL is not allowed (INVALID_URL)`, false, 'INVALID_URL');
    case 'DNS':
      return new RuntimeError(`${what} host could not be resolved (DNS)`, true, 'DNS');
    case 'TIMEOUT':
      return new RuntimeError(`${what} did not answer within ${timeoutMs} ms (TIMEOUT)`, true, 'TIMEOUT');
    case 'TLS':
      return new RuntimeError(`${what} could not be reached: TLS failed (TLS)`, true, 'TLS');
    default:
      return new RuntimeError(`${what} could not be reached (UNREACHABLE)`, true, 'UNREACHABLE');
  }
}

/**
 * The last (user) message with its files as OpenAI content parts: images as `image_url` data URLs, other files as a
 * line naming them (chat models take no other file type inline).
 */
function withAttachmentParts(history: RuntimeMessage[], attachments: RuntimeAttachment[] | undefined): { role: string; content: unknown }[] {
  if (!attachments?.length || !history.length) return history;
  const last = history[history.length - 1];
  const images = attachments.filter((a) => a.type === 'image');
  const others = attachments.filter((a) => a.type !== 'image');
  const text = [last.content, ...others.map((a) => `[attached ${a.type}: ${a.name ?? 'unnamed'} (${a.mimeType}, ${a.size} bytes)]`)].join('\n');
  const parts = [{ type: 'text', text }, ...images.map((a) => ({ type: 'image_url', image_url: { url: `data:${a.mimeType};base64,${a.data}` } }))];
  return [...history.slice(0, -1), { role: last.role, content: parts }];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorMessageOf(text: string): string {
  const j = parseJson(text) as { error?: { message?: unknown } } | undefined;
  // Only the API's own error text (e.g. "Incorrect API key provided"), never the raw body.
  // eslint-disable-next-line no-control-regex -- control characters are what is being removed
  return typeof j?.error?.message === 'string' ? j.error.message.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 300) : 'no details';
}

/** The `action` field of the http runtime's request body (snake_case like the rest of it). */
function httpAction(a: RuntimeAction): Record<string, unknown> {
  return {
    type: 'action',
    action_id: a.actionId,
    label: a.label,
    value: a.value,
    user: a.user,
    ...(a.approval ? { approval: { approval_id: a.approval.approvalId, decision: a.approval.decision } } : {}),
  };
}

/** The buttons of the model's `offer_actions` tool call, if it made one (the last such call wins). */
function offeredActions(toolCalls: unknown): Pick<RuntimeReply, 'actions' | 'approval'> {
  if (!Array.isArray(toolCalls)) return {};
  const call = [...toolCalls].reverse().find((c: { function?: { name?: unknown } }) => c?.function?.name === 'offer_actions') as { function: { arguments?: unknown } } | undefined;
  if (!call) return {};
  const args = typeof call.function.arguments === 'string' ? parseJson(call.function.arguments) : call.function.arguments;
  const a = (typeof args === 'object' && args !== null ? args : {}) as { actions?: unknown; approval?: unknown };
  return checkReplyActions(a.actions ?? [], a.approval, 'the model called offer_actions with invalid arguments');
}

function toMemories(v: unknown): RuntimeMemory[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((m): m is { type: unknown; content: unknown; importance?: unknown } => typeof m === 'object' && m !== null)
    .filter((m) => typeof m.type === 'string' && typeof m.content === 'string')
    .slice(0, 50)
    .map((m) => ({
      type: String(m.type).slice(0, 100),
      content: String(m.content).slice(0, 10000),
      ...(typeof m.importance === 'number' && Number.isFinite(m.importance) ? { importance: m.importance } : {}),
    }));
}

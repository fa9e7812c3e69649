import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { OutboundHttpClient, OutboundResult } from '../../http/outbound-http-client';
import { WebhookSigner } from '../../http/signing/webhook-signer';
import { RuntimeError, RuntimeMemory, RuntimeReply, RuntimeRequest } from './runtime.types';
import { Clock } from '../../common/clock';
import { Ids } from '../../common/ids';

const MAX_REPLY_BYTES = 256 * 1024;

/** Runs an agent's runtime once. Retrying is the caller's business (RuntimeError.transient says whether to). */
@Injectable()
export class AgentRuntimeService {
  constructor(
    private readonly config: AppConfig,
    private readonly http: OutboundHttpClient,
    private readonly signer: WebhookSigner,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {}

  async reply(req: RuntimeRequest): Promise<RuntimeReply> {
    switch (req.agent.runtime.type) {
      case 'echo':
        return { reply: this.echo(req), memories: [] };
      case 'openai':
        return this.openai(req);
      case 'http':
        return this.httpRuntime(req);
      default:
        throw new RuntimeError(`unknown runtime type "${String(req.agent.runtime.type)}"`, false, 'UNKNOWN_RUNTIME');
    }
  }

  private echo(req: RuntimeRequest): string {
    const last = req.messages[req.messages.length - 1]?.content ?? '';
    return last.trim() ? last : '(received your message)';
  }

  private async openai(req: RuntimeRequest): Promise<RuntimeReply> {
    const rt = req.agent.runtime as { baseUrl: string; model: string; systemPrompt?: string; temperature?: number; historyMessages?: number };
    const history = req.messages.slice(-Math.max(1, (rt.historyMessages ?? 20) + 1));
    const messages = [...(rt.systemPrompt ? [{ role: 'system', content: rt.systemPrompt }] : []), ...history];
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (req.secrets.apiKey) headers.authorization = `Bearer ${req.secrets.apiKey}`;
    const timeoutMs = this.config.inbound.agentTimeoutMs;
    const res = await this.http.request({
      url: `${rt.baseUrl}/chat/completions`,
      method: 'POST',
      headers,
      body: JSON.stringify({ model: rt.model, messages, ...(rt.temperature !== undefined ? { temperature: rt.temperature } : {}) }),
      timeoutMs,
      maxResponseBytes: MAX_REPLY_BYTES,
    });
    if (!res.ok) throw noResponse('the model API', res, timeoutMs);
    if (res.status === 429 || res.status >= 500) throw new RuntimeError(`the model API answered ${res.status}`, true, 'UPSTREAM_STATUS');
    if (res.status >= 400) throw new RuntimeError(`the model API refused the request (${res.status}): ${errorMessageOf(res.body)}`, false, 'UPSTREAM_STATUS');
    if (res.truncated) throw new RuntimeError(`the model API answer is larger than ${MAX_REPLY_BYTES / 1024} KB`, false, 'BAD_RESPONSE');
    const content = (parseJson(res.body) as { choices?: { message?: { content?: unknown } }[] } | undefined)?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new RuntimeError('the model API answered without choices[0].message.content', false, 'BAD_RESPONSE');
    return { reply: content, memories: [] };
  }

  private async httpRuntime(req: RuntimeRequest): Promise<RuntimeReply> {
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
    });
    const msgId = `msg_${this.ids.uuid().replace(/-/g, '')}`;
    const headers = this.signer.headers({
      secrets: [req.secrets.secret],
      msgId,
      timestampSeconds: Math.floor(this.clock.nowMs() / 1000),
      body,
      eventType: 'agent.reply_requested',
    });
    const timeoutMs = rt.timeoutMs ?? this.config.inbound.agentTimeoutMs;
    const res = await this.http.request({ url: rt.url, method: 'POST', headers, body, timeoutMs, maxResponseBytes: MAX_REPLY_BYTES });
    if (!res.ok) throw noResponse('the agent URL', res, timeoutMs);
    if (res.status === 429 || res.status >= 500) throw new RuntimeError(`the agent URL answered ${res.status}`, true, 'UPSTREAM_STATUS');
    if (res.status < 200 || res.status >= 300) throw new RuntimeError(`the agent URL answered ${res.status}`, false, 'UPSTREAM_STATUS');
    if (res.truncated) throw new RuntimeError(`the agent URL's answer is larger than ${MAX_REPLY_BYTES / 1024} KB`, false, 'BAD_RESPONSE');
    const parsed = parseJson(res.body) as { reply?: unknown; memories?: unknown } | undefined;
    if (!parsed || typeof parsed.reply !== 'string') throw new RuntimeError('the agent URL must answer JSON {"reply": string}', false, 'BAD_RESPONSE');
    return { reply: parsed.reply, memories: toMemories(parsed.memories) };
  }
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

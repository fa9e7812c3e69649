import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { AppConfig } from '../../config/app-config';
import { HttpSender } from '../../http/outbound-http-client';
import { WebhookSigner } from '../../http/signing/webhook-signer';
import { RuntimeError, RuntimeMemory, RuntimeReply, RuntimeRequest } from './runtime.types';

/** HttpSender for team-supplied runtime URLs (SSRF-checked like webhook endpoints). */
export const RUNTIME_HTTP_SENDER = Symbol('RUNTIME_HTTP_SENDER');
const MAX_REPLY_BYTES = 256 * 1024;

/** Runs an agent's runtime once. Retrying is the caller's business (RuntimeError.transient says whether to). */
@Injectable()
export class AgentRuntimeService {
  constructor(
    private readonly config: AppConfig,
    @Inject(RUNTIME_HTTP_SENDER) private readonly http: HttpSender,
    private readonly signer: WebhookSigner,
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
        throw new RuntimeError(`unknown runtime type "${String(req.agent.runtime.type)}"`, false);
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
    let res;
    try {
      res = await request(`${rt.baseUrl}/chat/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: rt.model, messages, ...(rt.temperature !== undefined ? { temperature: rt.temperature } : {}) }),
        headersTimeout: this.config.inbound.agentTimeoutMs,
        bodyTimeout: this.config.inbound.agentTimeoutMs,
      });
    } catch (e) {
      throw new RuntimeError(`the model API could not be reached (${(e as { code?: string }).code ?? 'network error'})`, true);
    }
    const text = await res.body.text();
    if (res.statusCode === 429 || res.statusCode >= 500) throw new RuntimeError(`the model API answered ${res.statusCode}`, true);
    if (res.statusCode >= 400) throw new RuntimeError(`the model API refused the request (${res.statusCode}): ${errorMessageOf(text)}`, false);
    const content = (parseJson(text) as { choices?: { message?: { content?: unknown } }[] } | undefined)?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new RuntimeError('the model API answered without choices[0].message.content', false);
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
    const msgId = `msg_${randomUUID().replace(/-/g, '')}`;
    const headers = this.signer.headers({
      secrets: [req.secrets.secret],
      msgId,
      timestampSeconds: Math.floor(Date.now() / 1000),
      body,
      eventType: 'agent.reply_requested',
    });
    const res = await this.http.send({
      url: rt.url,
      headers,
      body,
      timeoutMs: rt.timeoutMs ?? this.config.inbound.agentTimeoutMs,
      maxResponseBytes: MAX_REPLY_BYTES,
    });
    if (!res.ok) throw new RuntimeError(`the agent URL could not be reached (${res.errorCode})`, res.errorCode !== 'SSRF_BLOCKED');
    if (res.status === 429 || res.status >= 500) throw new RuntimeError(`the agent URL answered ${res.status}`, true);
    if (res.status < 200 || res.status >= 300) throw new RuntimeError(`the agent URL answered ${res.status}`, false);
    const parsed = parseJson(res.body) as { reply?: unknown; memories?: unknown } | undefined;
    if (!parsed || typeof parsed.reply !== 'string') throw new RuntimeError('the agent URL must answer JSON {"reply": string}', false);
    return { reply: parsed.reply, memories: toMemories(parsed.memories) };
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
  return typeof j?.error?.message === 'string' ? j.error.message.slice(0, 300) : 'no details';
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

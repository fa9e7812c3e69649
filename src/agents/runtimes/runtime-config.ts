import { FieldChecker, CredentialProblem } from '../../common/field-checker';
import { generateWebhookSecret, maskSecret } from '../../crypto/secrets';
import { AgentRuntime } from '../entities/agent.entity';

export const RUNTIME_TYPES = ['echo', 'openai', 'http'] as const;
export type RuntimeType = (typeof RUNTIME_TYPES)[number];
export type RuntimeSecrets = Record<string, string>;

export interface CheckedRuntime {
  /** Stored as agent.runtime: no secrets, masked hints where a secret is set. */
  runtime: AgentRuntime;
  secrets: RuntimeSecrets;
  /** Secrets we generated on this write; returned once in the response. */
  generated: RuntimeSecrets;
}

const SECRET_FIELDS: Record<RuntimeType, readonly string[]> = { echo: [], openai: ['apiKey'], http: ['secret'] };

/**
 * Validates an agent's runtime: `{type:"echo"}`, `{type:"openai", baseUrl, model, apiKey?, systemPrompt?, temperature?,
 * historyMessages?, stream?, offerActions?}` or `{type:"http", url, secret?, timeoutMs?}`
 * (`stream: true` asks the model for server-sent events; an `http` agent streams by answering `text/event-stream`). Secrets not given keep their previous value
 * (when the type is unchanged); the `http` signing secret is generated when absent.
 */
export function checkRuntime(
  input: Record<string, unknown>,
  previous?: { runtime: AgentRuntime; secrets: RuntimeSecrets },
): { ok: CheckedRuntime } | { problems: CredentialProblem[] } {
  const type = input.type;
  if (typeof type !== 'string' || !(RUNTIME_TYPES as readonly string[]).includes(type)) {
    return { problems: [{ field: 'runtime.type', messages: [`runtime.type must be one of: ${RUNTIME_TYPES.join(', ')}`] }] };
  }
  const t = type as RuntimeType;
  const same = previous?.runtime.type === t;
  const keep = (field: string): string | undefined => (same ? previous?.secrets[field] : undefined);
  // A masked hint sent back unchanged ("…abcd") means "keep the secret".
  const given = (v: unknown): boolean => typeof v === 'string' && v !== '' && !v.startsWith('…');
  const generated: RuntimeSecrets = {};

  if (t === 'echo') {
    const f = new FieldChecker('runtime', input, ['type']);
    return f.problems.length ? { problems: f.problems } : { ok: { runtime: { type: 'echo' }, secrets: {}, generated } };
  }
  if (t === 'openai') {
    const f = new FieldChecker('runtime', input, ['type', 'baseUrl', 'model', 'apiKey', 'systemPrompt', 'temperature', 'historyMessages', 'stream', 'offerActions']);
    const baseUrl = f.string('baseUrl', { required: true, pattern: /^https?:\/\/\S+$/, hint: 'must be an http(s) URL, e.g. https://api.openai.com/v1' });
    const model = f.string('model', { required: true, pattern: /^.{1,200}$/, hint: 'must be a model name' });
    const apiKey = given(input.apiKey) ? f.string('apiKey', { pattern: /^.{1,1000}$/, hint: 'is too long' }) : keep('apiKey');
    const systemPrompt = f.string('systemPrompt', { pattern: /^[\s\S]{1,20000}$/, hint: 'must be at most 20000 characters' });
    const temperature = input.temperature;
    if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
      f.fail('temperature', 'runtime.temperature must be a number from 0 to 2');
    }
    const history = input.historyMessages ?? 20;
    if (typeof history !== 'number' || !Number.isInteger(history) || history < 0 || history > 200) {
      f.fail('historyMessages', 'runtime.historyMessages must be an integer from 0 to 200');
    }
    if (input.stream !== undefined && typeof input.stream !== 'boolean') f.fail('stream', 'runtime.stream must be true or false');
    const offerActions = input.offerActions;
    if (offerActions !== undefined && typeof offerActions !== 'boolean') f.fail('offerActions', 'runtime.offerActions must be true or false');
    if (f.problems.length || !baseUrl || !model) return { problems: f.problems };
    const secrets: RuntimeSecrets = apiKey ? { apiKey } : {};
    return {
      ok: {
        runtime: {
          type: 'openai',
          baseUrl: baseUrl.replace(/\/+$/, ''),
          model,
          ...(systemPrompt ? { systemPrompt } : {}),
          ...(temperature !== undefined ? { temperature } : {}),
          historyMessages: history,
          ...(input.stream === true ? { stream: true } : {}),
          ...(offerActions ? { offerActions: true } : {}),
          ...(apiKey ? { apiKey: maskSecret(apiKey) } : {}),
        },
        secrets,
        generated,
      },
    };
  }
  const f = new FieldChecker('runtime', input, ['type', 'url', 'secret', 'timeoutMs']);
  const url = f.string('url', { required: true, pattern: /^https?:\/\/\S+$/, hint: 'must be an http(s) URL' });
  let secret = given(input.secret)
    ? f.string('secret', { pattern: /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, hint: 'must be a whsec_… secret (or leave it out and we generate one)' })
    : keep('secret');
  const timeoutMs = input.timeoutMs;
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 300000)) {
    f.fail('timeoutMs', 'runtime.timeoutMs must be an integer from 100 to 300000');
  }
  if (f.problems.length || !url) return { problems: f.problems };
  if (!secret) {
    secret = generateWebhookSecret();
    generated.secret = secret;
  }
  return {
    ok: {
      runtime: { type: 'http', url, ...(timeoutMs !== undefined ? { timeoutMs } : {}), secret: maskSecret(secret) },
      secrets: { secret },
      generated,
    },
  };
}

/** The team-supplied URL a runtime input calls (`runtime.baseUrl` / `runtime.url`), when it gives one as a string. */
export function runtimeUrlOf(input: Record<string, unknown>): { field: string; url: string } | undefined {
  const key = input.type === 'openai' ? 'baseUrl' : input.type === 'http' ? 'url' : undefined;
  const url = key ? input[key] : undefined;
  return key && typeof url === 'string' ? { field: `runtime.${key}`, url } : undefined;
}

export function secretFieldsOf(type: string): readonly string[] {
  return SECRET_FIELDS[type as RuntimeType] ?? [];
}

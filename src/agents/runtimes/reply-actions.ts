import { ReplyAction, ReplyApproval, RuntimeAction, RuntimeError } from './runtime.types';

/** Buttons under one reply: Telegram and Slack show more, people read fewer. */
export const MAX_ACTIONS = 10;
/** Slack's button text limit (Telegram's is larger). Longer labels are cut with "…". */
export const MAX_LABEL_CHARS = 75;
export const MAX_VALUE_CHARS = 2000;
export const MAX_APPROVERS = 50;
export const MAX_EXPIRES_S = 7 * 24 * 3600;
export const DEFAULT_EXPIRES_S = 24 * 3600;
const ACTION_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const USER_ID = /^[A-Za-z0-9_.:@-]{1,64}$/;

/**
 * The `offer_actions` function tool the `openai` runtime declares when `runtime.offerActions` is true. The model calls
 * it (alongside or instead of text content) to put buttons under its reply.
 */
export const OFFER_ACTIONS_TOOL = {
  type: 'function',
  function: {
    name: 'offer_actions',
    description:
      'Show buttons under your reply. The user clicks one; you then get a user message describing the choice. Use `approval` when only some people may decide (e.g. a deployment needing sign-off).',
    parameters: {
      type: 'object',
      properties: {
        actions: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_ACTIONS,
          items: {
            type: 'object',
            properties: {
              id: { type: 'string', pattern: ACTION_ID.source, description: 'Stable id of the choice, e.g. "approve"' },
              label: { type: 'string', maxLength: MAX_LABEL_CHARS, description: 'Button text' },
              style: { type: 'string', enum: ['primary', 'danger'] },
              value: { type: 'string', maxLength: MAX_VALUE_CHARS, description: 'Optional data returned with the click' },
            },
            required: ['id', 'label'],
            additionalProperties: false,
          },
        },
        approval: {
          type: 'object',
          properties: {
            approvers: { type: 'array', items: { type: 'string' }, maxItems: MAX_APPROVERS, description: 'Platform user ids allowed to decide; omit for anyone' },
            expiresInS: { type: 'integer', minimum: 1, maximum: MAX_EXPIRES_S },
          },
          additionalProperties: false,
        },
      },
      required: ['actions'],
      additionalProperties: false,
    },
  },
} as const;

const bad = (what: string, message: string): RuntimeError => new RuntimeError(`${what}: ${message}`, false, 'BAD_RESPONSE');

/**
 * Checks a runtime's `actions` (and `approval`). Absent → none. Malformed (not a list, an entry without a valid `id` or
 * `label`, duplicate ids, a bad style or approval) → RuntimeError BAD_RESPONSE naming the field. Caps: the first
 * MAX_ACTIONS buttons are kept; labels are cut to MAX_LABEL_CHARS.
 */
export function checkReplyActions(rawActions: unknown, rawApproval: unknown, what: string): { actions?: ReplyAction[]; approval?: ReplyApproval } {
  if (rawActions === undefined || rawActions === null) {
    if (rawApproval !== undefined && rawApproval !== null) throw bad(what, '`approval` needs `actions`');
    return {};
  }
  if (!Array.isArray(rawActions)) throw bad(what, '`actions` must be a list');
  if (rawActions.length === 0) return {};
  const actions: ReplyAction[] = [];
  const seen = new Set<string>();
  for (const [i, a] of rawActions.slice(0, MAX_ACTIONS).entries()) {
    const e = (typeof a === 'object' && a !== null ? a : {}) as Record<string, unknown>;
    if (typeof e.id !== 'string' || !ACTION_ID.test(e.id)) throw bad(what, `actions[${i}].id must be 1-64 of A-Z a-z 0-9 _ . : -`);
    if (seen.has(e.id)) throw bad(what, `actions[${i}].id "${e.id}" is used twice`);
    seen.add(e.id);
    const label = typeof e.label === 'string' ? e.label.replace(/\s+/g, ' ').trim() : '';
    if (!label) throw bad(what, `actions[${i}].label must be a non-empty string`);
    if (e.style !== undefined && e.style !== null && e.style !== 'primary' && e.style !== 'danger') throw bad(what, `actions[${i}].style must be "primary" or "danger"`);
    if (e.value !== undefined && e.value !== null && (typeof e.value !== 'string' || e.value.length > MAX_VALUE_CHARS)) {
      throw bad(what, `actions[${i}].value must be a string of at most ${MAX_VALUE_CHARS} characters`);
    }
    actions.push({
      id: e.id,
      label: [...label].length > MAX_LABEL_CHARS ? `${[...label].slice(0, MAX_LABEL_CHARS - 1).join('')}…` : label,
      ...(e.style ? { style: e.style as 'primary' | 'danger' } : {}),
      ...(typeof e.value === 'string' ? { value: e.value } : {}),
    });
  }
  if (rawApproval === undefined || rawApproval === null) return { actions };
  if (typeof rawApproval !== 'object' || Array.isArray(rawApproval)) throw bad(what, '`approval` must be an object');
  const ap = rawApproval as Record<string, unknown>;
  const expires = ap.expiresInS ?? DEFAULT_EXPIRES_S;
  if (typeof expires !== 'number' || !Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_S) {
    throw bad(what, `approval.expiresInS must be an integer from 1 to ${MAX_EXPIRES_S}`);
  }
  let approvers: string[] | undefined;
  if (ap.approvers !== undefined && ap.approvers !== null) {
    if (!Array.isArray(ap.approvers) || ap.approvers.length === 0 || ap.approvers.length > MAX_APPROVERS) {
      throw bad(what, `approval.approvers must be a list of 1-${MAX_APPROVERS} platform user ids`);
    }
    approvers = ap.approvers.map((u) => (typeof u === 'number' && Number.isSafeInteger(u) ? String(u) : u)) as string[];
    if (approvers.some((u) => typeof u !== 'string' || !USER_ID.test(u))) throw bad(what, 'approval.approvers must hold platform user ids (strings)');
  }
  return { actions, approval: { ...(approvers ? { approvers: [...new Set(approvers)] } : {}), expiresInS: expires } };
}

/** The user message a click becomes in the conversation (what the `openai` and `echo` runtimes see). */
export function describeAction(a: Pick<RuntimeAction, 'actionId' | 'label' | 'value' | 'user' | 'approval'>): string {
  const who = a.user.name ?? (a.user.username ? `@${a.user.username}` : a.user.id);
  const value = a.value ? `, value "${a.value}"` : '';
  return `[${who} clicked "${a.label}" (action "${a.actionId}"${value})${a.approval ? ' — this decides the approval' : ''}]`;
}

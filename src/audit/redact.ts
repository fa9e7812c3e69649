/** Field names whose values never reach the audit log (any depth, any case). */
const SECRET_NAME = /secret|password|token|credential|api_?key|key_?hash|authorization|^key$|signature|private/i;
/** Values that look like our own secrets even under an innocent name (e.g. an accept URL carrying a token). */
const SECRET_VALUE = /(sbinv_|whsec_)[A-Za-z0-9_+/=-]{8,}|sb_[A-Za-z0-9_-]{20,}/; // an API key's 11-character display prefix stays

export const REDACTED = '[redacted]';

/**
 * A copy of `value` fit for the audit log: secret-named fields dropped, strings that carry a secret replaced, dates as
 * ISO strings. Depth and size are bounded so a huge body cannot bloat the log.
 */
export function redactForAudit(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return SECRET_VALUE.test(value) ? REDACTED : value.length > 2000 ? `${value.slice(0, 2000)}…` : value;
  if (typeof value !== 'object') return value;
  if (depth > 8) return REDACTED;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => redactForAudit(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_NAME.test(k)) continue;
    out[k] = redactForAudit(v, depth + 1);
  }
  return out;
}

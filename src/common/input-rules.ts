import { FieldProblem, ValidationFailed } from './errors';

/**
 * Rules every request input obeys, whatever the route: JSON at most MAX_JSON_DEPTH levels deep (deeper values
 * overflow the stack of recursive code: class-transformer, JSON.stringify), and — on the admin API — no NUL
 * character in any string (PostgreSQL stores none in text or jsonb). Every walk here is iterative.
 */
export const MAX_JSON_DEPTH = 64;

/** How many offending fields one error names. */
const MAX_REPORTED = 10;

const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] => typeof v === 'object' && v !== null;

/** True when `value` nests objects/arrays more than `max` levels (the top-level object is level 1). */
export function exceedsDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  if (!isContainer(value)) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (isContainer(child)) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** A key as it appears in a field path: a NUL shown as `\0`. */
const keyLabel = (k: string): string => k.replaceAll('\u0000', '\\0');

/**
 * The paths (`name`, `runtime.systemPrompt`, `labels.0`, `settings.a\0b` for a key) of strings or keys that contain
 * a NUL character, in document order, at most MAX_REPORTED; `root` names a top-level string.
 */
export function nulPaths(value: unknown, root = 'body'): string[] {
  const found: string[] = [];
  // [value, path, the key itself holds a NUL]
  const stack: [unknown, string, boolean][] = [[value, '', false]];
  while (stack.length && found.length < MAX_REPORTED) {
    const [v, path, badKey] = stack.pop()!;
    if (badKey || (typeof v === 'string' && v.includes('\u0000'))) {
      found.push(path || root);
      continue;
    }
    if (!isContainer(v)) continue;
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i];
      stack.push([child, path ? `${path}.${keyLabel(k)}` : keyLabel(k), k.includes('\u0000')]);
    }
  }
  return found;
}

export const nulMessage = (field: string): string => `${field} must not contain NUL characters`;

/** 400 naming every field (up to MAX_REPORTED) whose string contains NUL. */
export function nulProblem(fields: string[]): ValidationFailed {
  const details: FieldProblem[] = fields.map((field) => ({ field, messages: [nulMessage(field)] }));
  return new ValidationFailed(details.map((d) => d.messages[0]).join('; '), details);
}

export const depthMessage = (field: string): string => `${field} is nested too deeply (at most ${MAX_JSON_DEPTH} levels)`;

/** 400 for a value nested deeper than MAX_JSON_DEPTH. */
export function depthProblem(field = 'body'): ValidationFailed {
  return new ValidationFailed(depthMessage(field), [{ field, messages: [depthMessage(field)] }]);
}

/**
 * The JSON carried in one field of a form body, as GitHub (`payload=<json>`, when the hook's content type is
 * application/x-www-form-urlencoded) and Slack interactivity send it. 400 when absent, not JSON, or too deep.
 */
export function jsonFromFormField(form: unknown, field = 'payload'): unknown {
  const raw = isContainer(form) && !Array.isArray(form) ? form[field] : undefined;
  if (typeof raw !== 'string') {
    const message = `a form body must carry its JSON in the ${field} field`;
    throw new ValidationFailed(message, [{ field, messages: [message] }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ValidationFailed(`${field} is not valid JSON`, [{ field, messages: [`${field} is not valid JSON`] }]);
  }
  if (exceedsDepth(value)) throw depthProblem(field);
  return value;
}

/** What stands for a NUL in stored platform events: U+FFFD (same UTF-16 length, so Telegram's entity offsets hold). */
export const NUL_REPLACEMENT = '\uFFFD';

export const withoutNul = (s: string): string => (s.includes('\u0000') ? s.replaceAll('\u0000', NUL_REPLACEMENT) : s);

/**
 * `value` as JSON text PostgreSQL accepts as jsonb: every NUL (in strings and keys, which JSON.stringify writes as
 * the escape `\u0000`) becomes `\ufffd`. An escape is real only after an even run of backslashes (`\\u0000` is a
 * backslash followed by the text "u0000"), which the pattern requires. One pass over the text, no recursion of ours.
 */
export function jsonbText(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('\\u0000') ? text.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : text;
}

import { stdSerializers } from 'pino';
import { isQueryError, summarizeQueryError } from '../database/query-error';

const MAX_DEPTH = 4;

/** The stack frames of `e` under a first line we chose (the original first line repeats the message). */
function framesUnder(firstLine: string, e: Error): string {
  const frames = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  return [firstLine, ...frames].join('\n');
}

function containsQueryError(value: unknown, depth = 0): boolean {
  if (!(value instanceof Error) || depth > MAX_DEPTH) return false;
  if (isQueryError(value)) return true;
  const inner = [value.cause, ...Object.values(value)];
  return inner.some((v) => containsQueryError(v, depth + 1));
}

function serialize(e: Error, depth: number): Record<string, unknown> {
  if (isQueryError(e)) {
    const summary = summarizeQueryError(e);
    return { ...summary, stack: framesUnder(`${summary.type}: ${summary.message}`, e) };
  }
  const out: Record<string, unknown> = { type: e.constructor?.name || e.name, message: e.message, stack: e.stack };
  for (const [key, value] of Object.entries(e)) {
    out[key] = value instanceof Error && depth < MAX_DEPTH ? serialize(value, depth + 1) : value;
  }
  if (e.cause instanceof Error && depth < MAX_DEPTH) out.cause = serialize(e.cause, depth + 1);
  return out;
}

/**
 * pino's `err` serializer. A failed SQL statement (TypeORM's QueryFailedError, pg's DatabaseError), also as the
 * cause or a property of another error, is logged as its code, constraint, table and statement label: never its
 * parameters (password hashes, users' messages), its text or PostgreSQL's `detail`. Other errors as pino logs them.
 * pino-http hands custom serializers pino's own serialization, the error itself being its `raw`.
 */
export function serializeError(err: unknown): unknown {
  const raw = err instanceof Error ? err : (err as { raw?: unknown } | null)?.raw;
  if (raw instanceof Error && containsQueryError(raw)) return serialize(raw, 0);
  return err instanceof Error ? stdSerializers.err(err) : err;
}

import { QueryFailedError } from 'typeorm';

/**
 * What may be logged of a failed SQL statement: PostgreSQL's error code and the names it gives (constraint, table,
 * column), a label of the statement (its verb and first table) and the message with every quoted value removed.
 * Never the statement's parameters, its text, nor `detail` ("Key (email)=(…)", "Failing row contains (…)").
 */
export interface QueryErrorSummary {
  type: string;
  message: string;
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  schema?: string;
  statement?: string;
}

/** A pg DatabaseError (or TypeORM's QueryFailedError wrapping one): SQLSTATE code, severity and routine. */
interface DriverError extends Error {
  code?: unknown;
  severity?: unknown;
  constraint?: unknown;
  table?: unknown;
  column?: unknown;
  schema?: unknown;
  query?: unknown;
}

export function isQueryError(e: unknown): e is DriverError {
  if (e instanceof QueryFailedError) return true;
  // pg's DatabaseError, when used without TypeORM (e.g. ensureDatabase): a 5-character SQLSTATE and a severity
  const d = e as DriverError | null;
  return e instanceof Error && typeof d?.code === 'string' && /^[0-9A-Z]{5}$/.test(d.code) && typeof d.severity === 'string';
}

const IDENT = String.raw`"?([A-Za-z_][\w$]*)"?(?:\."?([A-Za-z_][\w$]*)"?)?`;
const TARGET = new RegExp(String.raw`^(INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO)\s+${IDENT}`, 'i');
const FROM = new RegExp(String.raw`\bFROM\s+${IDENT}`, 'i');

/** "INSERT INTO agent", "SELECT FROM user", "WITH": names only, never a literal. */
export function statementLabel(sql: unknown): string | undefined {
  if (typeof sql !== 'string') return undefined;
  const text = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').trim();
  const verb = /^[A-Za-z]+/.exec(text)?.[0]?.toUpperCase();
  if (!verb) return undefined;
  const name = (first: string, second: string | undefined): string => (second ? `${first}.${second}` : first);
  const target = TARGET.exec(text);
  if (target) return `${target[1].toUpperCase().replace(/\s+/g, ' ')} ${name(target[2], target[3])}`;
  const from = verb === 'SELECT' ? FROM.exec(text) : null;
  return from ? `SELECT FROM ${name(from[1], from[2])}` : verb;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * PostgreSQL quotes both names and values in its messages (`relation "agent"`, `for type uuid: "abc"`): a quoted
 * part stays only when it is a name the error carries or a quoted identifier of the statement text (values are
 * parameters, never in the text).
 */
function safeMessage(e: DriverError, names: (string | undefined)[], sql: string | undefined): string {
  const known = new Set(names.filter((n): n is string => !!n));
  return e.message.replace(/"((?:[^"]|"")*)"/g, (whole, inner: string) =>
    known.has(inner) || (!!sql && /^[A-Za-z_][\w$]*$/.test(inner) && sql.includes(whole)) ? whole : '"[redacted]"',
  );
}

/** `query`: the statement text when the error does not carry it (pg's own error, as TypeORM's logger gets it). */
export function summarizeQueryError(e: DriverError, query?: string): QueryErrorSummary {
  const sql = str(e.query) ?? str(query);
  const names = { constraint: str(e.constraint), table: str(e.table), column: str(e.column), schema: str(e.schema) };
  const summary: QueryErrorSummary = {
    type: e.constructor?.name || e.name,
    message: safeMessage(e, Object.values(names), sql),
    code: str(e.code),
    ...names,
    statement: statementLabel(sql),
  };
  for (const k of Object.keys(summary) as (keyof QueryErrorSummary)[]) if (summary[k] === undefined) delete summary[k];
  return summary;
}

/** A one-line reason for messages and stored error texts: the summary for a failed statement, else the message. */
export function safeErrorMessage(e: unknown): string {
  if (isQueryError(e)) {
    const s = summarizeQueryError(e);
    const where = [s.statement, s.constraint && `constraint ${s.constraint}`].filter(Boolean).join(', ');
    return `SQL error ${s.code ?? '?'}${where ? ` (${where})` : ''}: ${s.message}`;
  }
  return e instanceof Error ? e.message : String(e);
}

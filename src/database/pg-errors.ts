import { QueryFailedError } from 'typeorm';

/**
 * PostgreSQL refused a value itself (SQLSTATE class 22, "data exception": a string longer than its column, a NUL in
 * text, a malformed uuid…). The same statement fails the same way every time: retrying it only delays what follows.
 */
export function isDataException(e: unknown): boolean {
  const code = e instanceof QueryFailedError ? (e.driverError as { code?: unknown } | undefined)?.code : undefined;
  return typeof code === 'string' && code.startsWith('22');
}

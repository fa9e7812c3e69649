import { QueryFailedError } from 'typeorm';

/**
 * PostgreSQL refused a value itself (SQLSTATE class 22, "data exception": a string longer than its column, a NUL in
 * text, a malformed uuid…). The same statement fails the same way every time: retrying it only delays what follows.
 */
export function isDataException(e: unknown): boolean {
  const code = e instanceof QueryFailedError ? (e.driverError as { code?: unknown } | undefined)?.code : undefined;
  return typeof code === 'string' && code.startsWith('22');
}

/** PostgreSQL picked this statement as the victim of a deadlock (SQLSTATE 40P01) and rolled it back. */
export function isDeadlock(e: unknown): boolean {
  return e instanceof QueryFailedError && (e.driverError as { code?: unknown } | undefined)?.code === '40P01';
}

/**
 * Runs a statement that stands alone (its own transaction) and may simply be run again, again when PostgreSQL picked
 * it as a deadlock's victim: up to `attempts` times in all. Deleting a team, an agent or a connection cascades into
 * the rows busy conversations are writing at that moment, taking their locks in another order.
 */
export async function retryOnDeadlock<T>(statement: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (e) {
      if (!isDeadlock(e) || attempt >= attempts) throw e;
    }
  }
}

import type { DataSource } from 'typeorm';

/** Polls `predicate` until it holds; fails naming `what` after `timeoutMs`. For asynchronous outcomes (queues, workers). */
export async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Waits until the connection has at least `atLeast` stored inbound events and every one is finished (done, ignored or
 * failed). A reply is sent before its event is finished, so after this "nothing more was sent" holds without a sleep.
 */
export async function inboundSettled(ds: { query: (sql: string, params: unknown[]) => Promise<unknown> }, connectionId: string, atLeast = 1): Promise<void> {
  await until(async () => {
    const [r] = (await ds.query(
      `SELECT count(*)::int AS n, (count(*) FILTER (WHERE status NOT IN ('done', 'ignored', 'failed')))::int AS open FROM inbound_event WHERE connection_id = $1`,
      [connectionId],
    )) as { n: number; open: number }[];
    return r.n >= atLeast && r.open === 0;
  }, `the inbound events of ${connectionId} to finish`);
}

/**
 * Runs `change` in a transaction of its own left open, starts `act` (which must block on that transaction's locks),
 * waits until a backend of this database waits on a lock, commits, and returns what `act` returned or threw. For
 * races with a concurrent writer, decided by who waits for whom rather than by timing.
 */
export async function whileHeldOpen<T>(
  ds: DataSource,
  change: (query: (sql: string, params?: unknown[]) => Promise<unknown>) => Promise<unknown>,
  act: () => Promise<T>,
): Promise<{ value: T } | { error: Error }> {
  const other = ds.createQueryRunner();
  await other.connect();
  try {
    await other.startTransaction();
    await change((sql, params) => other.query(sql, params));
    const outcome = act().then(
      (value) => ({ value }),
      (e: unknown) => ({ error: e as Error }),
    );
    await until(async () => {
      const [{ waiting }] = (await ds.query(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
      )) as { waiting: number }[];
      return waiting > 0;
    }, 'a backend to wait for the open transaction', 2000);
    await other.commitTransaction();
    return await outcome;
  } finally {
    if (other.isTransactionActive) await other.rollbackTransaction();
    await other.release();
  }
}

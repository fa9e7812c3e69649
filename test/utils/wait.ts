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

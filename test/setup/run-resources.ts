import Redis from 'ioredis';
import { RUN_COMMENT, withAdminClient } from './test-db';

/** A run that started this long ago has ended, normally or not (Ctrl-C skips the teardown): its leftovers may go. */
const STALE_AFTER_MS = 6 * 3600_000;

/** Drops the databases marked as made by the run with this prefix. Returns their names. */
export async function dropRunDatabases(prefix: string): Promise<string[]> {
  return withAdminClient(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE split_part(shobj_description(oid, 'pg_database'), ' ', 4) = $1
         AND shobj_description(oid, 'pg_database') LIKE $2`,
      [prefix, `${RUN_COMMENT} %`],
    );
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname.replace(/"/g, '""')}" WITH (FORCE)`);
    return rows.map((r) => r.datname);
  });
}

/** Deletes the run's BullMQ keys (`<prefix>-…:…`), by SCAN in batches: never KEYS on a shared Redis. */
export async function deleteRunRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let deleted = 0;
    for await (const keys of redis.scanStream({ match: `${prefix}-*`, count: 1000 })) {
      if ((keys as string[]).length) deleted += await redis.unlink(...(keys as string[]));
    }
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/** Prefixes of earlier runs whose databases are older than STALE_AFTER_MS (interrupted runs never tore down). */
export async function staleRunPrefixes(): Promise<string[]> {
  return withAdminClient(async (c) => {
    const { rows } = await c.query<{ comment: string }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE $1`,
      [`${RUN_COMMENT} %`],
    );
    const stale = new Set<string>();
    for (const { comment } of rows) {
      const [, , , prefix, at] = comment.split(' ');
      if (prefix && Date.now() - Date.parse(at) > STALE_AFTER_MS) stale.add(prefix);
    }
    return [...stale];
  });
}

/** Removes everything a run made; a failure is reported, never fails the run. */
export async function removeRun(prefix: string): Promise<void> {
  try {
    await dropRunDatabases(prefix);
  } catch (e) {
    console.warn(`test teardown: could not drop the databases of run ${prefix}: ${(e as Error).message}`);
  }
  try {
    await deleteRunRedisKeys(prefix);
  } catch (e) {
    console.warn(`test teardown: could not delete the Redis keys of run ${prefix}: ${(e as Error).message}`);
  }
}

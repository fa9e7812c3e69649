import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/database.options';
import { BASE_DATABASE_URL, withAdminClient } from '../setup/test-db';
import { until } from '../utils/wait';

/**
 * DATABASE_POOL_IDLE_S on a real PostgreSQL: an idle pooled connection is closed after that many seconds, and with 0
 * it stays open. (pg-pool's own default closed it after 10 s, so a burst after a quiet spell opened new backends.)
 */
describe('the pool keeps idle connections for DATABASE_POOL_IDLE_S (medium: real PostgreSQL)', () => {
  const sources: DataSource[] = [];
  const open = async (poolIdleS: number): Promise<{ ds: DataSource; pid: number }> => {
    const ds = new DataSource(dataSourceOptions({ database: { url: BASE_DATABASE_URL, poolSize: 2, poolIdleS } }));
    sources.push(ds);
    await ds.initialize();
    const [{ pid }] = (await ds.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
    return { ds, pid };
  };
  const alive = (pid: number): Promise<boolean> =>
    withAdminClient(async (c) => (await c.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 1);

  afterAll(async () => {
    for (const ds of sources) if (ds.isInitialized) await ds.destroy();
  });

  it('closes a connection idle for poolIdleS seconds, and keeps it with 0', async () => {
    const kept = await open(0);
    const closed = await open(1);
    expect(await alive(closed.pid)).toBe(true);

    await until(async () => !(await alive(closed.pid)), 'the connection idle for 1 s to be closed', 10_000);

    // the one with 0 was idle at least as long, and is still there and usable on the same backend
    expect(await alive(kept.pid)).toBe(true);
    const [{ pid }] = (await kept.ds.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
    expect(pid).toBe(kept.pid);
  });
});

import { DataSource } from 'typeorm';
import { InboundSweeper } from '../../src/conversations/jobs/inbound.sweeper';
import { serviceTelegramConnection } from '../factories/telegram';
import { FakeTelegramApi } from '../fakes';
import { createServiceModule, ServiceModule } from '../utils/service-module';

/**
 * The inbound event log's retention: finished events received more than INBOUND_RETENTION_DAYS ago are deleted in
 * batches, on every connection; unfinished ones stay whatever their age, and recent ones stay.
 */
describe('inbound event retention (medium: real PostgreSQL)', () => {
  let m: ServiceModule;
  let tg: FakeTelegramApi;
  let ds: DataSource;
  const connections: string[] = [];

  beforeAll(async () => {
    tg = await new FakeTelegramApi().start();
    // a worker (the sweeper lives there; its prune runs hourly, the sweeps are off): the test runs the prune itself
    m = await createServiceModule({ env: { ROLE: 'worker', INBOUND_SWEEP_INTERVAL_S: '0', INBOUND_RETENTION_DAYS: '10', TELEGRAM_API_ROOT: tg.url, PUBLIC_BASE_URL: 'https://sb.example.com' } });
    ds = m.moduleRef.get(DataSource);
    for (const [name, botId] of [['Keep', 900081], ['Prune', 900082]] as const) connections.push((await serviceTelegramConnection(m, tg, name, botId)).connectionId);
  });
  afterAll(async () => {
    await m?.close();
    await tg?.stop();
  });

  /** Stores an event `daysAgo` days old with `status`; its dedupe key names it. */
  const event = async (connectionId: string, name: string, status: string, daysAgo: number): Promise<void> => {
    await ds.query(
      `INSERT INTO inbound_event (connection_id, platform, dedupe_key, ordering_key, payload, status, received_at)
       VALUES ($1, 'telegram', $2, 'chat', '{}'::jsonb, $3, now() - $4::int * interval '1 day')`,
      [connectionId, name, status, daysAgo],
    );
  };
  const left = async (): Promise<string[]> =>
    ((await ds.query(`SELECT dedupe_key FROM inbound_event ORDER BY dedupe_key`)) as { dedupe_key: string }[]).map((r) => r.dedupe_key);

  it('deletes old finished events of every connection, batch after batch, and keeps unfinished and recent ones', async () => {
    const [a, b] = connections;
    for (const [conn, tag] of [[a, 'a'], [b, 'b']] as const) {
      await event(conn, `${tag}-old-done`, 'done', 40);
      await event(conn, `${tag}-old-failed`, 'failed', 11);
      await event(conn, `${tag}-old-received`, 'received', 40);
      await event(conn, `${tag}-old-processing`, 'processing', 40);
      await event(conn, `${tag}-recent-done`, 'done', 9);
    }
    await event(a, 'a-old-ignored', 'ignored', 30);

    // the configured retention (10 days), two rows per statement: 5 old finished events take three statements
    const pruned = await m.moduleRef.get(InboundSweeper).prune(2);

    expect(pruned).toBe(5);
    expect(await left()).toEqual(['a-old-processing', 'a-old-received', 'a-recent-done', 'b-old-processing', 'b-old-received', 'b-recent-done']);
    expect(await m.moduleRef.get(InboundSweeper).prune(2)).toBe(0);
  });
});

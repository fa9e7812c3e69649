import { DataSource } from 'typeorm';
import { ConnectionsService } from '../../src/connections/connections.service';
import { serviceTelegramConnection } from '../factories/telegram';
import { FakeTelegramApi } from '../fakes';
import { createServiceModule, ServiceModule } from '../utils/service-module';
import { until } from '../utils/wait';

/**
 * Deleting a connection cascades into the rows its conversations are writing at that moment, taking their locks in
 * another order: PostgreSQL may pick the DELETE as a deadlock's victim. The admin's DELETE then still succeeds (it is
 * run again), instead of answering 500. (Seen in CI: the pipeline's message insert against DELETE FROM platform_connection.)
 */
describe('deleting a connection while its conversations write (medium: real PostgreSQL)', () => {
  let m: ServiceModule;
  let tg: FakeTelegramApi;
  let ds: DataSource;

  beforeAll(async () => {
    tg = await new FakeTelegramApi().start();
    m = await createServiceModule({ env: { TELEGRAM_API_ROOT: tg.url, PUBLIC_BASE_URL: 'https://sb.example.com' } });
    ds = m.moduleRef.get(DataSource);
  });
  afterAll(async () => {
    await m?.close();
    await tg?.stop();
  });

  it('survives being the victim of a deadlock: run again, it deletes the connection and everything of it', async () => {
    const { connectionId, agentId, teamId } = await serviceTelegramConnection(m, tg, 'Deadlock', 900091);
    const insertEvent = `INSERT INTO inbound_event (connection_id, platform, dedupe_key, ordering_key, payload) VALUES ($1, 'telegram', $2, 'chat', '{}'::jsonb) RETURNING id`;
    const [{ id: busy }] = (await ds.query(insertEvent, [connectionId, 'busy'])) as { id: string }[];

    // a turn's transaction: it holds its event's row, then writes a row that needs the connection (as the pipeline does)
    const turn = ds.createQueryRunner();
    await turn.connect();
    try {
      await turn.startTransaction();
      await turn.query(`UPDATE inbound_event SET error = 'working' WHERE id = $1`, [busy]);
      const removed = m.moduleRef.get(ConnectionsService).remove(teamId, agentId, connectionId).then(
        () => 'deleted',
        (e: Error) => e.message,
      );
      // the DELETE holds the connection and waits for the turn's event row…
      await until(async () => {
        const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM "platform_connection"%'`)) as { n: number }[];
        return n > 0;
      }, 'the DELETE to wait for the turn');
      // …while the turn now waits for the connection: a deadlock, found first by the DELETE, which waited longer
      await turn.query(insertEvent, [connectionId, 'second']);
      await turn.commitTransaction();
      expect(await removed).toBe('deleted');
    } finally {
      if (turn.isTransactionActive) await turn.rollbackTransaction();
      await turn.release();
    }
    const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM inbound_event WHERE connection_id = $1`, [connectionId])) as { n: number }[];
    expect(n).toBe(0);
    expect(await ds.query(`SELECT id FROM platform_connection WHERE id = $1`, [connectionId])).toEqual([]);
  });
});

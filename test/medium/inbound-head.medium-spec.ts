import { DataSource } from 'typeorm';
import { HEAD_MANY_SQL, InboundEventsRepository } from '../../src/conversations/inbound-events.repository';
import { serviceTelegramConnection } from '../factories/telegram';
import { FakeTelegramApi } from '../fakes';
import { createServiceModule, ServiceModule } from '../utils/service-module';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/**
 * A conversation's head — the oldest unfinished event, looked up by every claim and by the drain's last look — is found
 * without reading the chat's finished history (inbound events are kept, so a long chat has thousands).
 */
describe("a conversation's head with a long history (medium: real PostgreSQL)", () => {
  let m: ServiceModule;
  let tg: FakeTelegramApi;
  let ds: DataSource;
  let connectionId: string;

  beforeAll(async () => {
    tg = await new FakeTelegramApi().start();
    m = await createServiceModule({ env: { TELEGRAM_API_ROOT: tg.url, PUBLIC_BASE_URL: 'https://sb.example.com' } });
    ds = m.moduleRef.get(DataSource);
    ({ connectionId } = await serviceTelegramConnection(m, tg, 'Head', 900077));
    // chat "long": 500 finished events, then two unfinished ones; chat "done": finished events only…
    await ds.query(
      `INSERT INTO inbound_event (connection_id, platform, dedupe_key, ordering_key, payload, status)
       SELECT $1, 'telegram', chat || ':' || n, chat, '{}'::jsonb, CASE WHEN chat = 'long' AND n > 500 THEN 'received' ELSE 'done' END::inbound_status
       FROM (VALUES ('long'), ('done')) AS c(chat), generate_series(1, 502) AS n
       ORDER BY chat DESC, n`,
      [connectionId],
    );
    // and 300 other chats waiting at the same moment (a burst): "unfinished" alone does not find a chat's head either
    await ds.query(
      `INSERT INTO inbound_event (connection_id, platform, dedupe_key, ordering_key, payload, status)
       SELECT $1, 'telegram', 'other:' || n, 'other-' || n, '{}'::jsonb, 'received' FROM generate_series(1, 300) AS n`,
      [connectionId],
    );
    await ds.query('ANALYZE inbound_event');
  });
  afterAll(async () => {
    await m?.close();
    await tg?.stop();
  });

  it('is the oldest unfinished event, and none for a chat whose events are all finished', async () => {
    const repo = m.moduleRef.get(InboundEventsRepository);
    const [first] = (await ds.query(`SELECT id FROM inbound_event WHERE ordering_key = 'long' AND status = 'received' ORDER BY seq LIMIT 1`)) as { id: string }[];
    const [head, none] = await Promise.all([repo.head(connectionId, 'long'), repo.head(connectionId, 'done')]);
    expect(head?.id).toBe(first.id);
    expect(none).toBeNull();
  });

  it("reads the unfinished events' index entries only, not the 500 finished ones before them", async () => {
    const [{ 'QUERY PLAN': [plan] }] = (await ds.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${HEAD_MANY_SQL}`, [
      [connectionId, connectionId],
      ['long', 'done'],
    ])) as { 'QUERY PLAN': { Plan: PlanNode }[] }[];
    const scans = nodes(plan.Plan).filter((n) => n['Relation Name'] === 'inbound_event');
    expect(scans.length).toBeGreaterThan(0);
    for (const scan of scans) {
      expect(scan['Rows Removed by Filter'] ?? 0).toBe(0);
      expect(scan['Actual Rows']).toBeLessThanOrEqual(1); // per loop: the head, or nothing
    }
  });
});

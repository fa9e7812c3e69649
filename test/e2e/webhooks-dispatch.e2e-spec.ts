import { DataSource } from 'typeorm';
import { EventPublisher } from '../../src/events/event-publisher';
import { FakeWebhookReceiver } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const n = (c: RecordedCall): number => (JSON.parse(c.rawBody) as { data: { n: number } }).data.n;
/** The most calls that fall within any `windowMs` window. */
const maxInWindow = (calls: RecordedCall[], windowMs: number): number => {
  const at = calls.map((c) => c.at).sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[i] - at[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
};

describe('outbound webhooks: the batch dispatcher (isolation, rate limit, FIFO, fairness, recover)', () => {
  let t: TestApp;
  let rx: FakeWebhookReceiver;
  let ds: DataSource;
  let events: EventPublisher;
  let owner: Actor & { teamId: string };
  let other: Actor & { teamId: string };
  const hooks = (teamId = owner.teamId): string => `/v1/teams/${teamId}/webhooks`;

  const createEndpoint = async (path: string, extra: Record<string, unknown> = {}, as = owner): Promise<{ id: string } & Record<string, unknown>> =>
    (await t.http().post(hooks(as.teamId)).set(as.auth).send({ url: rx.urlFor(path), eventTypes: ['job.completed'], ...extra }).expect(201)).body;
  /** `count` job.completed events for the team, each in its own transaction (or all in one). */
  const publish = async (teamId: string, count: number, opts: { from?: number; oneTransaction?: boolean } = {}): Promise<void> => {
    const from = opts.from ?? 1;
    const one = (em: Parameters<EventPublisher['publish']>[0], i: number) => events.publish(em, { type: 'job.completed', teamId, data: { n: i } });
    if (opts.oneTransaction) {
      await ds.transaction(async (em) => {
        for (let i = from; i < from + count; i++) await one(em, i);
      });
      return;
    }
    for (let i = from; i < from + count; i++) await ds.transaction((em) => one(em, i));
  };

  beforeAll(async () => {
    rx = await new FakeWebhookReceiver().start();
    t = await createTestApp({
      env: {
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        WEBHOOK_RETRY_SCHEDULE: '0,0.4,0.8',
        WEBHOOK_TIMEOUT_MS: '6000',
        WEBHOOK_CONCURRENCY: '16',
        WEBHOOK_ENDPOINT_CONCURRENCY: '4',
        WEBHOOK_BATCH_SIZE: '50',
        WEBHOOK_SWEEP_INTERVAL_S: '0',
        CONNECTION_HEALTH_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
      },
    });
    ds = t.app.get(DataSource);
    events = t.app.get(EventPublisher);
    owner = await ownerWithTeam(t, 'Acme');
    other = await ownerWithTeam(t, 'Globex');
  });
  afterAll(async () => {
    await t.close();
    await rx.stop();
  });
  afterEach(async () => {
    rx.handler = undefined;
    // each test's endpoints go (with their deliveries), so the next test starts with an idle dispatcher
    for (const who of [owner, other]) {
      const list = await t.http().get(hooks(who.teamId)).query({ limit: 100 }).set(who.auth).expect(200);
      for (const e of list.body.data as { id: string }[]) await t.http().delete(`${hooks(who.teamId)}/${e.id}`).set(who.auth).expect(204);
    }
  });

  it('an endpoint that never answers does not delay another one (per-endpoint cap on requests in flight)', async () => {
    const release = rx.hold('/dead');
    try {
      await createEndpoint('/dead');
      await createEndpoint('/live');
      await publish(owner.teamId, 120, { oneTransaction: true });
      const live = await rx.waitForCalls('/live', 120, 15_000);
      expect(new Set(live.map(n)).size).toBe(120);
      // every live delivery arrived while the dead endpoint's first requests were still waiting for their 6 s timeout
      const dead = rx.callsTo('/dead');
      expect(dead.length).toBeGreaterThan(0);
      expect(Math.max(...live.map((c) => c.at)) - Math.min(...dead.map((c) => c.at))).toBeLessThan(6000);
      // and the dead endpoint never had more than WEBHOOK_ENDPOINT_CONCURRENCY (4) requests open at once
      expect(maxInWindow(dead, 5900)).toBeLessThanOrEqual(4);
    } finally {
      release();
    }
  }, 30_000);

  it('rateLimitPerSecond spaces deliveries out across time without dropping any, and can be lifted', async () => {
    const ep = await createEndpoint('/rate', { rateLimitPerSecond: 5 });
    expect(ep).toMatchObject({ rateLimitPerSecond: 5, ordering: 'none' });
    expect((await t.http().get(`${hooks()}/${ep.id}`).set(owner.auth).expect(200)).body.rateLimitPerSecond).toBe(5);
    await publish(owner.teamId, 15, { oneTransaction: true });
    const calls = await rx.waitForCalls('/rate', 15, 15_000);
    expect(new Set(calls.map(n)).size).toBe(15);
    expect(maxInWindow(calls, 1000)).toBeLessThanOrEqual(6); // 5 per second (+1 at a window's edge)
    expect(calls[14].at - calls[0].at).toBeGreaterThanOrEqual(2500); // 14 gaps of 200 ms

    const lifted = await t.http().patch(`${hooks()}/${ep.id}`).set(owner.auth).send({ rateLimitPerSecond: null }).expect(200);
    expect(lifted.body.rateLimitPerSecond).toBeNull();
    await publish(owner.teamId, 15, { from: 100, oneTransaction: true });
    const after = (await rx.waitForCalls('/rate', 30, 10_000)).slice(15);
    expect(after[14].at - after[0].at).toBeLessThan(1500);
  }, 40_000);

  it('refuses a bad rateLimitPerSecond or ordering with a 400 naming the field', async () => {
    for (const [body, field] of [
      [{ rateLimitPerSecond: 0 }, 'rateLimitPerSecond'],
      [{ rateLimitPerSecond: 1.5 }, 'rateLimitPerSecond'],
      [{ rateLimitPerSecond: 'fast' }, 'rateLimitPerSecond'],
      [{ rateLimitPerSecond: 10_001 }, 'rateLimitPerSecond'],
      [{ ordering: 'lifo' }, 'ordering'],
      [{ ordering: null }, 'ordering'],
    ] as const) {
      const res = await t.http().post(hooks()).set(owner.auth).send({ url: rx.urlFor('/bad'), ...body }).expect(400);
      expect(res.body.message).toContain(field);
      expect(res.body.details.some((d: { field: string }) => d.field === field)).toBe(true);
    }
    const ep = await createEndpoint('/ok');
    await t.http().patch(`${hooks()}/${ep.id}`).set(owner.auth).send({ rateLimitPerSecond: -1 }).expect(400);
    expect((await t.http().patch(`${hooks()}/${ep.id}`).set(owner.auth).send({ ordering: null }).expect(400)).body.message).toContain('ordering');
    const patched = await t.http().patch(`${hooks()}/${ep.id}`).set(owner.auth).send({ ordering: 'fifo', rateLimitPerSecond: 20 }).expect(200);
    expect(patched.body).toMatchObject({ ordering: 'fifo', rateLimitPerSecond: 20 });
  });

  it('FIFO: one request at a time in publish order; a failing delivery holds the rest until it runs out of retries', async () => {
    const ep = await createEndpoint('/fifo', { ordering: 'fifo' });
    let open = 0;
    let maxOpen = 0;
    rx.handler = async (call) => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      await new Promise((r) => setTimeout(r, 10));
      open--;
      return { status: n(call) === 2 ? 500 : 204 };
    };
    await publish(owner.teamId, 6);
    const calls = await rx.waitForCalls('/fifo', 8, 15_000);
    // event 2 is attempted 3 times (0, 0.4, 0.8 s) while 3..6 wait; then they go, in order
    expect(calls.map(n)).toEqual([1, 2, 2, 2, 3, 4, 5, 6]);
    expect(calls[4].at - calls[1].at).toBeGreaterThanOrEqual(750);
    expect(maxOpen).toBe(1);
    // event 2 failed for good (the endpoint went failing, then active again with event 3's success)
    const failed = await t.http().get(`${hooks()}/${ep.id}/deliveries`).query({ status: 'failed' }).set(owner.auth).expect(200);
    expect(failed.body.data).toHaveLength(1);
    const notes = await t.http().get(`/v1/teams/${owner.teamId}/notifications`).set(owner.auth).expect(200);
    expect(notes.body.data.some((x: { type: string; data: { endpoint_id?: string } }) => x.type === 'webhook_endpoint.failing' && x.data.endpoint_id === ep.id)).toBe(true);
    await until(async () => (await t.http().get(`${hooks()}/${ep.id}`).set(owner.auth)).body.status === 'active', 'endpoint active again');
  }, 30_000);

  it('publishMany writes many events in one statement: FIFO order kept per endpoint, other teams untouched, a rollback sends nothing', async () => {
    await createEndpoint('/many-a', { ordering: 'fifo' });
    await createEndpoint('/many-b', { ordering: 'fifo' });
    await createEndpoint('/many-other', {}, other);
    const batch = (from: number, count: number, tag: string) =>
      Array.from({ length: count }, (_, k) => ({ type: 'job.completed', teamId: k % 3 === 2 ? other.teamId : owner.teamId, data: { n: from + k, tag } }));
    await expect(
      ds.transaction(async (em) => {
        await events.publishMany(em, batch(100, 9, 'rolled-back'));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const { eventIds } = await ds.transaction((em) => events.publishMany(em, batch(1, 9, 'committed')));
    expect(eventIds).toHaveLength(9);
    expect(new Set(eventIds).size).toBe(9);
    const mine = [1, 2, 4, 5, 7, 8];
    for (const path of ['/many-a', '/many-b']) expect((await rx.waitForCalls(path, 6, 10_000)).map(n)).toEqual(mine);
    expect((await rx.waitForCalls('/many-other', 3, 10_000)).map(n).sort((a, b) => a - b)).toEqual([3, 6, 9]);
    // the rolled-back batch left no event behind; the committed one wrote 9
    const tagged = async (tag: string) => ((await ds.query(`SELECT count(*)::int AS count FROM webhook_event WHERE data->>'tag' = $1`, [tag])) as { count: number }[])[0].count;
    expect(await tagged('rolled-back')).toBe(0);
    expect(await tagged('committed')).toBe(9);
  }, 30_000);

  it('FIFO set on an endpoint with deliveries waiting applies to them', async () => {
    const release = rx.hold('/switch');
    const ep = await createEndpoint('/switch', { rateLimitPerSecond: 1 });
    await publish(owner.teamId, 4, { oneTransaction: true });
    await rx.waitForCalls('/switch', 1); // the first is in flight (held); the others wait for their rate-limit slots
    await t.http().patch(`${hooks()}/${ep.id}`).set(owner.auth).send({ ordering: 'fifo', rateLimitPerSecond: null }).expect(200);
    const [{ fifo }] = (await ds.query(`SELECT count(*)::int AS fifo FROM webhook_delivery WHERE endpoint_id = $1 AND status = 'pending' AND fifo`, [ep.id])) as {
      fifo: number;
    }[];
    expect(fifo).toBeGreaterThanOrEqual(3);
    release();
    const calls = await rx.waitForCalls('/switch', 4, 10_000);
    expect(calls.map(n).slice(1)).toEqual([...calls.map(n).slice(1)].sort((a, b) => a - b));
  }, 30_000);

  it('claims fairly across teams: a small team is served while a big team’s backlog drains', async () => {
    await createEndpoint('/bulk');
    await createEndpoint('/small', {}, other);
    rx.handler = async (call) => {
      if (call.path === '/bulk') await new Promise((r) => setTimeout(r, 20));
      return { status: 204 };
    };
    await publish(owner.teamId, 300, { oneTransaction: true }); // a backlog of 300, all due at once
    await rx.waitForCalls('/bulk', 1);
    await publish(other.teamId, 5);
    await rx.waitForCalls('/small', 5, 10_000);
    expect(rx.callsTo('/bulk').length).toBeLessThan(200); // the big team's backlog was far from drained
    await rx.waitForCalls('/bulk', 300, 20_000);
  }, 40_000);

  it('a response body with NUL characters is recorded (as U+FFFD) with the rest of its batch', async () => {
    const ep = await createEndpoint('/nul');
    await createEndpoint('/plain');
    rx.respondOn('/nul', 200, 'ok\u0000then more');
    await publish(owner.teamId, 3, { oneTransaction: true });
    await Promise.all([rx.waitForCalls('/nul', 3), rx.waitForCalls('/plain', 3)]);
    const base = `${hooks()}/${ep.id}/deliveries`;
    await until(async () => (await t.http().get(base).query({ status: 'delivered' }).set(owner.auth)).body.data.length === 3, 'all three recorded');
    const [first] = (await t.http().get(base).set(owner.auth).expect(200)).body.data;
    const detail = await t.http().get(`${base}/${first.id}`).set(owner.auth).expect(200);
    expect(detail.body.attempts[0].responseBody).toBe('ok\uFFFDthen more');
    expect(detail.body).toMatchObject({ status: 'delivered', attemptCount: 1 }); // recorded once: a delivered row is never sent again
    expect(rx.callsTo('/nul')).toHaveLength(3);
  });

  it('recover only marks deliveries due: a recovered backlog goes out at full speed', async () => {
    const ep = await createEndpoint('/recover', { enabled: false });
    const since = new Date(Date.now() - 1000).toISOString();
    await publish(owner.teamId, 300, { oneTransaction: true });
    const skipped = await t.http().get(`${hooks()}/${ep.id}/deliveries`).query({ status: 'skipped', limit: 100 }).set(owner.auth).expect(200);
    expect(skipped.body.data).toHaveLength(100);
    await t.http().patch(`${hooks()}/${ep.id}`).set(owner.auth).send({ enabled: true }).expect(200);
    const started = Date.now();
    const res = await t.http().post(`${hooks()}/${ep.id}/recover`).set(owner.auth).send({ since }).expect(202);
    expect(res.body.recovered).toBe(300);
    expect(Date.now() - started).toBeLessThan(1500); // one statement, not one job per delivery
    const calls = await rx.waitForCalls('/recover', 300, 15_000);
    expect(new Set(calls.map((c) => c.headers['webhook-id'])).size).toBe(300);
    expect(Math.max(...calls.map((c) => c.at)) - started).toBeLessThan(6000);
  }, 40_000);
});

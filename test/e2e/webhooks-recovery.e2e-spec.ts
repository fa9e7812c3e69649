import Redis from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { EventPublisher } from '../../src/events/event-publisher';
import { FakeWebhookReceiver } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { Actor, ownerWithTeam } from '../factories/users';
import { AppProcess, buildApp, startApp } from '../utils/app-process';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const verify = (secret: string, c: RecordedCall): unknown =>
  new Webhook(secret).verify(c.rawBody, {
    'webhook-id': String(c.headers['webhook-id']),
    'webhook-timestamp': String(c.headers['webhook-timestamp']),
    'webhook-signature': String(c.headers['webhook-signature']),
  });

/** Deletes every key of this test worker's Redis prefix (as FLUSHALL would, without touching other runs). */
async function flushRedis(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const keys = await redis.keys(`${process.env.BULLMQ_PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/**
 * The API in this process (ROLE=api: it publishes, it does not deliver) and compiled worker processes
 * (`node dist/src/main.js`, ROLE=worker) on the same database: what a deployment runs.
 */
describe('outbound webhooks across worker processes', () => {
  let rx: FakeWebhookReceiver;
  let api: TestApp;
  let ds: DataSource;
  let build: string;
  let owner: Actor & { teamId: string };
  const workers: AppProcess[] = [];
  const env = {
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '0,0.5,1,60',
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_SWEEP_INTERVAL_S: '0',
    CONNECTION_HEALTH_INTERVAL_S: '0',
    TELEGRAM_POLL_SCAN_MS: '0',
    INBOUND_SWEEP_INTERVAL_S: '0',
  };
  const hooks = (): string => `/v1/teams/${owner.teamId}/webhooks`;

  const startWorker = async (extra: Record<string, string> = {}): Promise<AppProcess> => {
    const w = await startApp(build, {
      ...env,
      ...extra,
      NODE_ENV: 'test',
      ROLE: 'worker',
      LOG_LEVEL: 'info',
      MIGRATIONS_RUN: 'false',
      DATABASE_URL: api.config.database.url,
      REDIS_URL: api.config.redis.url,
      BULLMQ_PREFIX: api.config.redis.prefix,
      JWT_SECRET: process.env.JWT_SECRET as string,
      ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS as string,
    });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    [rx, build] = await Promise.all([new FakeWebhookReceiver().start(), buildApp('webhooks')]);
    api = await createTestApp({ env: { ...env, ROLE: 'api' } });
    ds = api.app.get(DataSource);
    owner = await ownerWithTeam(api, 'Acme');
  }, 240_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await api?.close();
    await rx?.stop();
  });

  it('a worker killed mid-batch and a flushed Redis lose nothing: another worker delivers every event, same webhook-id', async () => {
    const w1 = await startWorker();
    const inFlight = await api.http().post(hooks()).set(owner.auth).send({ url: rx.urlFor('/in-flight'), eventTypes: ['agent.status_changed'] }).expect(201);
    const retrying = await api.http().post(hooks()).set(owner.auth).send({ url: rx.urlFor('/retrying'), eventTypes: ['agent.status_changed'] }).expect(201);

    // /in-flight never answers while the first worker lives; /retrying fails its first attempt (a scheduled retry).
    const release = rx.hold('/in-flight');
    rx.script('/retrying', { status: 500 });
    const agent = await api.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'Bot' }).expect(201);
    await api.http().patch(`/v1/teams/${owner.teamId}/agents/${agent.body.id}`).set(owner.auth).send({ status: 'paused' }).expect(200);
    await Promise.all([rx.waitForCalls('/in-flight', 1), rx.waitForCalls('/retrying', 1)]);
    const row = async (endpointId: string): Promise<{ status: string; attempt_count: number; claimed_by: string | null }> =>
      ((await ds.query(`SELECT status, attempt_count, claimed_by FROM webhook_delivery WHERE endpoint_id = $1`, [endpointId])) as never[])[0];
    await until(async () => (await row(retrying.body.id)).attempt_count === 1, 'the failed attempt recorded');

    // Killed: no shutdown hook runs, the request in flight is never recorded; Redis loses every key of ours.
    await w1.kill();
    await flushRedis();
    release();
    expect(await row(inFlight.body.id)).toMatchObject({ status: 'pending', attempt_count: 0, claimed_by: expect.any(String) });
    expect(await row(retrying.body.id)).toMatchObject({ status: 'pending', attempt_count: 1, claimed_by: null });

    // Another worker on the same database (the sweeper on): the retry at its time, the leased one once its lease ran out.
    const w2 = await startWorker({ WEBHOOK_SWEEP_INTERVAL_S: '0.3' });
    await until(
      async () => (await row(inFlight.body.id)).status === 'delivered' && (await row(retrying.body.id)).status === 'delivered',
      'both delivered by the second worker',
      30_000,
    );

    for (const [path, secret] of [
      ['/in-flight', inFlight.body.secret],
      ['/retrying', retrying.body.secret],
    ] as const) {
      const calls = rx.callsTo(path);
      expect(calls.length).toBeGreaterThanOrEqual(2); // at least once after the first try: a redelivery
      expect(new Set(calls.map((c) => c.headers['webhook-id'])).size).toBe(1);
      expect(new Set(calls.map((c) => c.rawBody)).size).toBe(1);
      for (const c of calls) expect(() => verify(secret, c)).not.toThrow();
      expect(JSON.parse(calls[0].rawBody)).toMatchObject({ type: 'agent.status_changed', data: { agent_id: agent.body.id, to: 'paused' } });
    }
    await w2.stop();
  }, 90_000);

  it('a FIFO endpoint gets its deliveries one at a time and in publish order from two workers; a failure holds the rest', async () => {
    // both look for due deliveries every 50 ms, so they compete for every next delivery
    await Promise.all([startWorker({ WEBHOOK_POLL_INTERVAL_MS: '50' }), startWorker({ WEBHOOK_POLL_INTERVAL_MS: '50' })]);
    const ep = await api.http().post(hooks()).set(owner.auth).send({ url: rx.urlFor('/fifo'), eventTypes: ['job.completed'], ordering: 'fifo' }).expect(201);
    expect(ep.body.ordering).toBe('fifo');
    let inFlight = 0;
    let maxInFlight = 0;
    let failedOnce = false;
    rx.handler = async (call) => {
      if (call.path !== '/fifo') return { status: 200 };
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 15));
      inFlight--;
      const n = (JSON.parse(call.rawBody) as { data: { n: number } }).data.n;
      if (n === 4 && !failedOnce) {
        failedOnce = true;
        return { status: 503 };
      }
      return { status: 204 };
    };
    const events = api.app.get(EventPublisher);
    const total = 24;
    for (let n = 1; n <= total; n++) {
      await ds.transaction((em) => events.publish(em, { type: 'job.completed', teamId: owner.teamId, data: { n } }));
    }
    await rx.waitForCalls('/fifo', total + 1, 30_000);
    const order = rx.callsTo('/fifo').map((c) => (JSON.parse(c.rawBody) as { data: { n: number } }).data.n);
    // every event in publish order; event 4 twice (503, then after the retry delay), nothing overtook it
    expect(order).toEqual([1, 2, 3, 4, ...Array.from({ length: total - 3 }, (_, i) => i + 4)]);
    expect(maxInFlight).toBe(1);
    const calls = rx.callsTo('/fifo');
    // the retry waited for its step (0.5 s after the failed attempt started, which its receipt trails by a few ms under
    // load), holding event 5 behind it
    expect(calls[4].at - calls[3].at).toBeGreaterThanOrEqual(300);
    // both workers sent some of them (each has its own connections)
    expect(new Set(calls.map((c) => c.remotePort)).size).toBeGreaterThanOrEqual(2);
    rx.handler = undefined;
  }, 90_000);
});

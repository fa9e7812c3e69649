import Redis from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { DeliveryProcessor } from '../../src/webhooks/jobs/delivery.processor';
import { FakeWebhookReceiver } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { Actor, login, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const verify = (secret: string, c: RecordedCall): unknown =>
  new Webhook(secret).verify(c.rawBody, {
    'webhook-id': String(c.headers['webhook-id']),
    'webhook-timestamp': String(c.headers['webhook-timestamp']),
    'webhook-signature': String(c.headers['webhook-signature']),
  });

/** Deletes every key of this test worker's BullMQ prefix (as FLUSHALL would, without touching other runs). */
async function flushQueues(): Promise<number> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const keys = await redis.keys(`${process.env.BULLMQ_PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}

describe('outbound webhooks: a worker stopped mid-delivery and a flushed Redis lose nothing', () => {
  let rx: FakeWebhookReceiver;
  let a: TestApp;
  let b: TestApp | undefined;
  let owner: Actor & { teamId: string };

  const env = {
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '0,0.5,1,60',
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_SWEEP_INTERVAL_S: '0',
  };

  beforeAll(async () => {
    rx = await new FakeWebhookReceiver().start();
    a = await createTestApp({ env });
  });
  afterAll(async () => {
    await b?.close();
    await rx.stop();
  });

  it('re-enqueues from PostgreSQL and delivers every event, at least once, with the same webhook-id', async () => {
    owner = await ownerWithTeam(a, 'Acme');
    const hooks = `/v1/teams/${owner.teamId}/webhooks`;
    const inFlight = await a.http().post(hooks).set(owner.auth).send({ url: rx.urlFor('/in-flight'), eventTypes: ['agent.status_changed'] }).expect(201);
    const retrying = await a.http().post(hooks).set(owner.auth).send({ url: rx.urlFor('/retrying'), eventTypes: ['agent.status_changed'] }).expect(201);

    // /in-flight never answers while the first worker lives; /retrying fails its first attempt (a delayed retry job).
    const release = rx.hold('/in-flight');
    rx.script('/retrying', { status: 500 });
    const agent = await a.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'Bot' }).expect(201);
    await a.http().patch(`/v1/teams/${owner.teamId}/agents/${agent.body.id}`).set(owner.auth).send({ status: 'paused' }).expect(200);
    await Promise.all([rx.waitForCalls('/in-flight', 1), rx.waitForCalls('/retrying', 1)]);

    // "Kill": the worker stops without waiting for its active job, Redis loses every queue key, the app goes away.
    await a.app.get(DeliveryProcessor).worker.close(true);
    expect(await flushQueues()).toBeGreaterThan(0);
    await a.close();
    release();
    const pending = (await new DataSource({ type: 'postgres', url: a.config.database.url }).initialize().then(async (ds) => {
      const rows = (await ds.query(`SELECT status FROM webhook_delivery WHERE status <> 'delivered'`)) as { status: string }[];
      await ds.destroy();
      return rows;
    })) as { status: string }[];
    expect(pending.length).toBe(2); // nothing was delivered yet

    // A new process on the same database (and the same, now empty, Redis prefix) with the sweeper on.
    b = await createTestApp({ env: { ...env, WEBHOOK_SWEEP_INTERVAL_S: '0.3' }, reuseDatabase: true });
    const again = await login(b, owner.email, owner.password);
    await until(
      async () => {
        const res = await b!.http().get(`${hooks}/${inFlight.body.id}/deliveries`).query({ status: 'delivered' }).set(again.auth);
        const res2 = await b!.http().get(`${hooks}/${retrying.body.id}/deliveries`).query({ status: 'delivered' }).set(again.auth);
        return res.body.data.length === 1 && res2.body.data.length === 1;
      },
      'both deliveries delivered by the second process',
      20_000,
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
  });
});

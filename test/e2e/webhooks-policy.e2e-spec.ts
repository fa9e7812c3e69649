import { DataSource } from 'typeorm';
import { FakeWebhookReceiver } from '../fakes';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

describe('outbound webhooks: SSRF policy (WEBHOOK_ALLOW_PRIVATE_NETWORKS=false)', () => {
  let t: TestApp;
  let rx: FakeWebhookReceiver;
  let owner: Actor & { teamId: string };
  const hooks = () => `/v1/teams/${owner.teamId}/webhooks`;

  beforeAll(async () => {
    rx = await new FakeWebhookReceiver().start();
    t = await createTestApp({
      env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false', WEBHOOK_RETRY_SCHEDULE: '0,60', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_SWEEP_INTERVAL_S: '0' },
    });
    owner = await ownerWithTeam(t, 'Acme');
  });
  afterAll(async () => {
    await t.close();
    await rx.stop();
  });

  it.each([
    ['loopback IPv4', 'https://127.0.0.1/hook', 'loopback'],
    ['a name resolving to 127.0.0.1', 'https://localhost/hook', 'loopback'],
    ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/hook', 'loopback'],
    ['IPv6 loopback', 'https://[::1]/hook', 'loopback'],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data', 'link-local'],
    ['private network', 'https://10.1.2.3/hook', 'private'],
    ['CGNAT', 'https://100.64.0.1/hook', 'carrier-grade NAT'],
    ['multicast', 'https://224.0.0.1/hook', 'multicast'],
    ['unique-local IPv6', 'https://[fd00::1]/hook', 'unique local'],
  ])('refuses %s on create and on update (400 naming url)', async (_what, url, reason) => {
    const res = await t.http().post(hooks()).set(owner.auth).send({ url }).expect(400);
    expect(res.body.message).toContain('url');
    expect(res.body.message).toContain(reason);
    expect(res.body.details).toEqual([{ field: 'url', messages: [expect.stringContaining('private or reserved')] }]);
  });

  it('requires https when private networks are not allowed, and writes nothing on refusal', async () => {
    const res = await t.http().post(hooks()).set(owner.auth).send({ url: 'http://93.184.215.14/hook' }).expect(400);
    expect(res.body.message).toContain('https');
    expect((await t.http().get(hooks()).set(owner.auth).expect(200)).body.data).toHaveLength(0);
  });

  it('accepts a public address, refuses a private one on PATCH', async () => {
    const ok = await t.http().post(hooks()).set(owner.auth).send({ url: 'https://93.184.215.14/hook', eventTypes: ['webhook.test'] }).expect(201);
    const res = await t.http().patch(`${hooks()}/${ok.body.id}`).set(owner.auth).send({ url: 'https://[::ffff:7f00:1]/x' }).expect(400);
    expect(res.body.message).toContain('url');
    expect((await t.http().get(`${hooks()}/${ok.body.id}`).set(owner.auth).expect(200)).body.url).toBe('https://93.184.215.14/hook');
    await t.http().delete(`${hooks()}/${ok.body.id}`).set(owner.auth).expect(204);
  });

  it('checks the address actually connected to at send time (DNS rebinding): SSRF_BLOCKED, nothing sent', async () => {
    const ok = await t.http().post(hooks()).set(owner.auth).send({ url: 'https://93.184.215.14/hook', eventTypes: ['webhook.test'] }).expect(201);
    // The name now points somewhere private (as a rebinding DNS answer would): simulate by moving the row.
    await t.app.get(DataSource).query('UPDATE webhook_endpoint SET url = $2 WHERE id = $1', [ok.body.id, rx.urlFor('/rebound').replace('127.0.0.1', 'localhost')]);
    const { deliveryId } = (await t.http().post(`${hooks()}/${ok.body.id}/test`).set(owner.auth).expect(202)).body;
    const get = () => t.http().get(`${hooks()}/${ok.body.id}/deliveries/${deliveryId}`).set(owner.auth);
    await until(async () => (await get()).body.attempts?.length === 1, 'first attempt');
    const d = (await get()).body;
    expect(d.attempts[0]).toMatchObject({ errorCode: 'SSRF_BLOCKED', statusCode: null });
    expect(d.status).toBe('pending'); // retried later on the schedule, blocked each time
    expect(rx.calls).toHaveLength(0);
  });
});

describe('outbound webhooks: ENABLE_WEBHOOKS=false', () => {
  let t: TestApp;
  let owner: Actor & { teamId: string };

  beforeAll(async () => {
    t = await createTestApp({ env: { ENABLE_WEBHOOKS: 'false' } });
    owner = await ownerWithTeam(t, 'Acme');
  });
  afterAll(() => t.close());

  it('answers 404 on every webhook route', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const base = `/v1/teams/${owner.teamId}/webhooks`;
    await t.http().get('/v1/webhook-event-types').set(owner.auth).expect(404);
    await t.http().get(base).set(owner.auth).expect(404);
    await t.http().post(base).set(owner.auth).send({ url: 'https://93.184.215.14/' }).expect(404);
    await t.http().get(`${base}/${id}/deliveries`).set(owner.auth).expect(404);
    await t.http().post(`${base}/${id}/recover`).set(owner.auth).send({ since: new Date().toISOString() }).expect(404);
  });

  it('records and dispatches nothing when something publishes', async () => {
    const agent = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'Quiet' }).expect(201);
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${agent.body.id}`).set(owner.auth).send({ status: 'paused' }).expect(200);
    const ds = t.app.get(DataSource);
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM webhook_event');
    expect(n).toBe(0);
    // the agent change itself went through
    expect((await t.http().get(`/v1/teams/${owner.teamId}/agents/${agent.body.id}`).set(owner.auth).expect(200)).body.status).toBe('paused');
  });
});

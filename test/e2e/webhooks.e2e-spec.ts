import Redis from 'ioredis';
import { createHmac } from 'node:crypto';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { EVENT_TYPES } from '../../src/integrations/event-catalog';
import { EventPublisher } from '../../src/events/event-publisher';
import { LOG_DESTINATION } from '../../src/logging/logging.module';
import { WAKEUP_CHANNEL } from '../../src/webhooks/delivery-wakeup';
import { WebhookSweeper } from '../../src/webhooks/jobs/webhook.sweeper';
import { FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { Actor, memberOf, ownerWithTeam } from '../factories/users';
import { LogCapture } from '../utils/log-capture';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const SCHEDULE = [0, 0.6, 1.2, 1.8];
const TG_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

/** The headers a Standard Webhooks library reads. */
const swHeaders = (c: RecordedCall): Record<string, string> => ({
  'webhook-id': String(c.headers['webhook-id']),
  'webhook-timestamp': String(c.headers['webhook-timestamp']),
  'webhook-signature': String(c.headers['webhook-signature']),
});
const verifies = (secret: string, c: RecordedCall): boolean => {
  try {
    new Webhook(secret).verify(c.rawBody, swHeaders(c));
    return true;
  } catch {
    return false;
  }
};

describe('outbound webhooks (e2e, loopback receiver)', () => {
  let t: TestApp;
  let rx: FakeWebhookReceiver;
  let tg: FakeTelegramApi;
  let logs: LogCapture;
  let owner: Actor & { teamId: string };
  let other: Actor & { teamId: string };
  let member: Actor;
  let ds: DataSource;
  const secrets: string[] = [];
  const responses: string[] = [];

  const hooks = (teamId = owner.teamId) => `/v1/teams/${teamId}/webhooks`;
  const createEndpoint = async (path: string, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> => {
    const res = await t.http().post(hooks()).set(owner.auth).send({ url: rx.urlFor(path), ...extra }).expect(201);
    secrets.push(res.body.secret);
    return { id: res.body.id, secret: res.body.secret };
  };
  const newAgent = async (name: string): Promise<string> =>
    (await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name }).expect(201)).body.id;
  const sendTest = async (endpointId: string): Promise<{ eventId: string; deliveryId: string }> =>
    (await t.http().post(`${hooks()}/${endpointId}/test`).set(owner.auth).expect(202)).body;
  const delivery = async (endpointId: string, deliveryId: string) =>
    (await t.http().get(`${hooks()}/${endpointId}/deliveries/${deliveryId}`).set(owner.auth).expect(200)).body;
  const endpoint = async (endpointId: string) => (await t.http().get(`${hooks()}/${endpointId}`).set(owner.auth).expect(200)).body;

  beforeAll(async () => {
    [rx, tg] = await Promise.all([new FakeWebhookReceiver().start(), new FakeTelegramApi().start()]);
    tg.addBot(TG_TOKEN, { id: 7001, username: 'acme_support_bot', first_name: 'Acme Support' });
    logs = new LogCapture();
    t = await createTestApp({
      env: {
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        WEBHOOK_RETRY_SCHEDULE: SCHEDULE.join(','),
        WEBHOOK_TIMEOUT_MS: '2000',
        WEBHOOK_SECRET_OVERLAP_S: '2',
        WEBHOOK_SWEEP_INTERVAL_S: '0',
        TELEGRAM_API_ROOT: tg.url,
        PUBLIC_BASE_URL: 'https://sb.example.com',
        CONNECTION_HEALTH_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
        LOG_LEVEL: 'trace',
      },
      override: (b) => b.overrideProvider(LOG_DESTINATION).useValue(logs),
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Acme');
    other = await ownerWithTeam(t, 'Globex');
    member = await memberOf(t, owner, owner.teamId, 'member');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([rx.stop(), tg.stop()]);
  });

  it('lists every event type with a description and an example payload', async () => {
    const res = await t.http().get('/v1/webhook-event-types').set(owner.auth).expect(200);
    const types = res.body.data.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'conversation.created',
        'conversation.completed',
        'message.created',
        'memory.created',
        'agent.status_changed',
        'job.completed',
        'job.failed',
        'platform_connection.status_changed',
        'webhook.test',
        'github.push',
        'github.release',
        'message.action',
        'approval.decided',
      ]),
    );
    for (const e of res.body.data) {
      expect(e.description.length).toBeGreaterThan(10);
      expect(Object.keys(e.example).length).toBeGreaterThan(0);
    }
  });

  it('delivers a verifiable agent.status_changed when an agent is paused through the API', async () => {
    const created = await t.http().post(hooks()).set(owner.auth).send({ url: rx.urlFor('/agents'), description: 'CRM', eventTypes: ['agent.status_changed'] }).expect(201);
    const { id, secret } = created.body;
    secrets.push(secret);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(created.body).toMatchObject({ url: rx.urlFor('/agents'), eventTypes: ['agent.status_changed'], enabled: true, status: 'active' });

    const agentId = await newAgent('Status bot');
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${agentId}`).set(owner.auth).send({ status: 'paused' }).expect(200);
    const [call] = await rx.waitForCalls('/agents', 1);

    expect(verifies(secret, call)).toBe(true);
    const body = JSON.parse(call.rawBody);
    expect(body).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-z]{26}$/),
      type: 'agent.status_changed',
      timestamp: expect.any(String),
      team_id: owner.teamId,
      data: expect.objectContaining({ agent_id: agentId, from: 'active', to: 'paused', name: 'Status bot' }),
    });
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers['webhook-id']).toBe(body.id);
    expect(call.headers['x-webhook-id']).toBe(body.id);
    expect(call.headers['x-webhook-event']).toBe('agent.status_changed');
    const legacy = createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(call.rawBody).digest('hex');
    expect(call.headers['x-webhook-signature']).toBe(`sha256=${legacy}`);
    // A different secret does not verify: the check above can fail.
    expect(verifies(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, call)).toBe(false);

    // not subscribed types do not arrive; the delivery is in the log with its attempt
    const list = await t.http().get(`${hooks()}/${id}/deliveries`).set(owner.auth).expect(200);
    expect(list.body.data).toHaveLength(1);
    // the attempt is recorded just after the receiver answered
    await until(async () => (await delivery(id, list.body.data[0].id)).status === 'delivered', 'delivery recorded');
    const d = await delivery(id, list.body.data[0].id);
    expect(d).toMatchObject({ status: 'delivered', eventType: 'agent.status_changed', eventId: body.id, attemptCount: 1 });
    expect(d.attempts).toHaveLength(1);
    expect(d.attempts[0]).toMatchObject({ attemptNumber: 1, statusCode: 200, responseBody: '{"ok":true}', errorCode: null });
    expect(d.attempts[0].requestHeaders['webhook-id']).toBe(body.id);
    responses.push(JSON.stringify(d));
  });

  it('never shows the secret in list or get responses', async () => {
    const { id } = await createEndpoint('/quiet', { eventTypes: ['job.failed'] });
    const list = await t.http().get(hooks()).set(owner.auth).expect(200);
    const get = await t.http().get(`${hooks()}/${id}`).set(owner.auth).expect(200);
    const patch = await t.http().patch(`${hooks()}/${id}`).set(owner.auth).send({ description: 'renamed' }).expect(200);
    for (const res of [list, get, patch]) {
      responses.push(res.text);
      expect(res.text).not.toMatch(/whsec_|secretEncrypted|secret_encrypted|"secret"/);
    }
    expect(get.body).toMatchObject({ id, enabled: true, status: 'active', eventTypes: ['job.failed'] });
    expect(patch.body.description).toBe('renamed');
  });

  it('rejects bad input with a 400 naming the field, writing nothing', async () => {
    const before = (await t.http().get(hooks()).set(owner.auth).query({ limit: 100 }).expect(200)).body.data.length;
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'url'],
      [{ url: 'ftp://example.com/x' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: 'https://user:pw@example.com/' }, 'url'],
      [{ url: rx.urlFor('/x'), eventTypes: ['message.created', 'nope.happened'] }, 'eventTypes'],
      [{ url: rx.urlFor('/x'), eventTypes: [] }, 'eventTypes'],
      [{ url: rx.urlFor('/x'), enabled: 'yes' }, 'enabled'],
      [{ url: rx.urlFor('/x'), secret: 'whsec_mine' }, 'secret'],
    ];
    for (const [body, field] of cases) {
      const res = await t.http().post(hooks()).set(owner.auth).send(body).expect(400);
      expect(res.body.message).toContain(field);
      expect(res.body.details.some((d: { field: string }) => d.field === field)).toBe(true);
    }
    const after = (await t.http().get(hooks()).set(owner.auth).query({ limit: 100 }).expect(200)).body.data.length;
    expect(after).toBe(before);
  });

  it('is owner/admin only, and another team’s endpoint is 404', async () => {
    const { id } = await createEndpoint('/private', { eventTypes: ['job.failed'] });
    await t.http().get(hooks()).set(member.auth).expect(403);
    await t.http().get(`${hooks()}/${id}`).set(member.auth).expect(403);
    await t.http().get(`/v1/teams/${owner.teamId}/notifications`).set(member.auth).expect(403);
    // another team's owner: through their own team path and through ours
    for (const path of [`${hooks(other.teamId)}/${id}`, `${hooks()}/${id}`]) {
      await t.http().get(path).set(other.auth).expect(404);
      await t.http().patch(path).set(other.auth).send({ enabled: false }).expect(404);
      await t.http().post(`${path}/rotate-secret`).set(other.auth).expect(404);
      await t.http().post(`${path}/test`).set(other.auth).expect(404);
      await t.http().get(`${path}/deliveries`).set(other.auth).expect(404);
      await t.http().delete(path).set(other.auth).expect(404);
    }
    expect((await endpoint(id)).enabled).toBe(true);
  });

  it('follows the retry schedule exactly, marks the endpoint failing with a notification, and recover re-sends', async () => {
    const { id, secret } = await createEndpoint('/fail', { eventTypes: ['webhook.test'] });
    rx.respondOn('/fail', 500, { error: 'down' });
    const since = new Date(Date.now() - 1000).toISOString();
    const { eventId, deliveryId } = await sendTest(id);
    const calls = await rx.waitForCalls('/fail', SCHEDULE.length, 10_000);
    await until(async () => (await delivery(id, deliveryId)).status === 'failed', 'delivery failed'); // no step after the last
    expect(rx.callsTo('/fail')).toHaveLength(SCHEDULE.length);

    for (const c of calls) {
      expect(c.headers['webhook-id']).toBe(eventId);
      expect(verifies(secret, c)).toBe(true);
    }

    await until(async () => (await delivery(id, deliveryId)).status === 'failed', 'delivery failed');
    const d = await delivery(id, deliveryId);
    expect(d.attempts.map((a: { attemptNumber: number; statusCode: number }) => [a.attemptNumber, a.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 500],
    ]);
    // each attempt started at its step (the attempts' own times: receipts trail them by a loaded machine's delay)
    const started = d.attempts.map((a: { at: string }) => new Date(a.at).getTime());
    SCHEDULE.forEach((offset, i) => {
      const gap = i === 0 ? 0 : offset - SCHEDULE[i - 1];
      const actual = (started[i] - started[0]) / 1000;
      expect(actual).toBeGreaterThanOrEqual(offset - 0.011); // a delivery due within 10 ms counts as due
      expect(actual).toBeLessThanOrEqual(offset + gap * 0.1 + 0.35); // ≤ 10 % jitter + scheduling slack
    });
    expect(d.nextAttemptAt).toBeNull();
    const ep = await endpoint(id);
    expect(ep).toMatchObject({ status: 'failing', enabled: true });
    const notes = await t.http().get(`/v1/teams/${owner.teamId}/notifications`).set(owner.auth).expect(200);
    const note = notes.body.data.find((n: { data: { endpoint_id?: string } }) => n.data.endpoint_id === id);
    expect(note).toMatchObject({ type: 'webhook_endpoint.failing' });
    expect(note.message).toContain(id);
    expect(note.message).toContain(rx.url);
    expect(note.message).not.toContain('/fail'); // paths can be credentials: never in messages or logs
    expect(logs.text()).not.toContain(rx.urlFor('/fail'));
    expect(logs.text()).toContain('webhook delivery failed for good');

    // while failing, new deliveries are still attempted
    const second = await sendTest(id);
    await rx.waitForCalls('/fail', SCHEDULE.length + 1);
    expect(second.deliveryId).not.toBe(deliveryId);

    // the receiver is back: recover re-sends the failed deliveries with the same webhook-id, endpoint active again
    rx.respondOn('/fail', 200, { ok: true });
    await until(async () => (await delivery(id, second.deliveryId)).status !== 'pending', 'second delivery settles', 10_000);
    const rec = await t.http().post(`${hooks()}/${id}/recover`).set(owner.auth).send({ since }).expect(202);
    expect(rec.body.recovered).toBeGreaterThanOrEqual(1);
    await until(async () => (await delivery(id, deliveryId)).status === 'delivered', 'recovered delivery delivered');
    const resent = rx.callsTo('/fail').filter((c) => c.headers['webhook-id'] === eventId);
    expect(resent.length).toBe(SCHEDULE.length + 1);
    expect(resent.at(-1)?.rawBody).toBe(resent[0].rawBody);
    expect((await delivery(id, deliveryId)).attempts.at(-1)).toMatchObject({ attemptNumber: 5, statusCode: 200 });
    await until(async () => (await endpoint(id)).status === 'active', 'endpoint active again');
  });

  it('validates recover and retry input', async () => {
    const { id } = await createEndpoint('/recover-input', { eventTypes: ['job.failed'] });
    const r1 = await t.http().post(`${hooks()}/${id}/recover`).set(owner.auth).send({}).expect(400);
    expect(r1.body.message).toContain('since');
    const r2 = await t.http().post(`${hooks()}/${id}/recover`).set(owner.auth).send({ since: new Date().toISOString(), until: '2020-01-01T00:00:00Z' }).expect(400);
    expect(r2.body.message).toContain('since');
    await t.http().post(`${hooks()}/${id}/deliveries/00000000-0000-4000-8000-000000000000/retry`).set(owner.auth).expect(404);
  });

  it('410 Gone disables the endpoint at once; later events are recorded as skipped and recover delivers them', async () => {
    const { id } = await createEndpoint('/gone', { eventTypes: ['webhook.test'] });
    rx.respondOn('/gone', 410, 'gone');
    const since = new Date(Date.now() - 1000).toISOString();
    const first = await sendTest(id);
    await until(async () => (await endpoint(id)).status === 'disabled', 'endpoint disabled');
    await until(async () => (await delivery(id, first.deliveryId)).status === 'failed', 'delivery failed'); // failed: never retried
    expect((await delivery(id, first.deliveryId)).nextAttemptAt).toBeNull();
    expect(rx.callsTo('/gone')).toHaveLength(1); // no retry after 410
    expect(await endpoint(id)).toMatchObject({ enabled: false, status: 'disabled', statusReason: expect.stringContaining('410') });
    expect((await delivery(id, first.deliveryId)).status).toBe('failed');
    const notes = await t.http().get(`/v1/teams/${owner.teamId}/notifications`).set(owner.auth).expect(200);
    expect(notes.body.data.some((n: { type: string; data: { endpoint_id?: string } }) => n.type === 'webhook_endpoint.disabled' && n.data.endpoint_id === id)).toBe(
      true,
    );

    // a disabled endpoint gets skipped rows (nothing dropped), and no request
    await t.http().post(`${hooks()}/${id}/test`).set(owner.auth).expect(409);
    await ds.transaction((em) => t.app.get(EventPublisher).publish(em, { type: 'webhook.test', teamId: owner.teamId, data: { n: 1 } }));
    const skipped = await t.http().get(`${hooks()}/${id}/deliveries`).query({ status: 'skipped' }).set(owner.auth).expect(200);
    expect(skipped.body.data).toHaveLength(1);
    await t.http().post(`${hooks()}/${id}/recover`).set(owner.auth).send({ since }).expect(409);

    rx.respondOn('/gone', 204);
    await t.http().patch(`${hooks()}/${id}`).set(owner.auth).send({ enabled: true }).expect(200);
    const rec = await t.http().post(`${hooks()}/${id}/recover`).set(owner.auth).send({ since }).expect(202);
    expect(rec.body.recovered).toBe(2);
    await rx.waitForCalls('/gone', 3);
    await until(async () => (await t.http().get(`${hooks()}/${id}/deliveries`).query({ status: 'delivered' }).set(owner.auth)).body.data.length === 2, 'both delivered');
  });

  it('honours Retry-After on 429/503, capped at the following step of the schedule', async () => {
    const { id } = await createEndpoint('/busy', { eventTypes: ['webhook.test'] });
    rx.script(
      '/busy',
      { status: 429, body: 'slow down', headers: { 'retry-after': '1' } },
      { status: 503, body: 'maintenance', headers: { 'retry-after': '30' } },
    );
    const { deliveryId } = await sendTest(id);
    const calls = await rx.waitForCalls('/busy', 3, 10_000);
    // attempt 2: Retry-After 1 s instead of the schedule's 0.6 s (+ ≤ 10 % jitter)
    const gap = calls[1].at - calls[0].at;
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(gap).toBeLessThan(1200);
    // attempt 3: Retry-After 30 s is capped at the step after the next one (1.8 s after the first attempt)
    const third = calls[2].at - calls[0].at;
    expect(third).toBeGreaterThanOrEqual(1750);
    expect(third).toBeLessThan(2150);
    await until(async () => (await delivery(id, deliveryId)).status === 'delivered', 'delivered after Retry-After');
    const d = await delivery(id, deliveryId);
    expect(d.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([429, 503, 200]);
    expect(d.attempts[0].responseBody).toBe('slow down');
  });

  it('records network errors with their code (CONNREFUSED) and retries', async () => {
    // a port nothing listens on: start and stop a receiver
    const gone = await new FakeWebhookReceiver().start();
    const url = gone.urlFor('/nobody');
    await gone.stop();
    const res = await t.http().post(hooks()).set(owner.auth).send({ url, eventTypes: ['webhook.test'] }).expect(201);
    secrets.push(res.body.secret);
    const { deliveryId } = await sendTest(res.body.id);
    await until(async () => (await delivery(res.body.id, deliveryId)).attempts.length >= 2, 'two attempts', 10_000);
    const d = await delivery(res.body.id, deliveryId);
    expect(d.attempts[0]).toMatchObject({ statusCode: null, errorCode: 'CONNREFUSED' });
    await t.http().delete(`${hooks()}/${res.body.id}`).set(owner.auth).expect(204);
  });

  it('signs with both secrets during the rotation overlap, then only with the new one', async () => {
    const { id, secret: oldSecret } = await createEndpoint('/rotate', { eventTypes: ['webhook.test'] });
    const rotated = await t.http().post(`${hooks()}/${id}/rotate-secret`).set(owner.auth).expect(200);
    const newSecret: string = rotated.body.secret;
    secrets.push(newSecret);
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(new Date(rotated.body.previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now());

    await sendTest(id);
    const [during] = await rx.waitForCalls('/rotate', 1);
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(newSecret, during)).toBe(true);
    expect(verifies(oldSecret, during)).toBe(true);

    await until(() => Date.now() > new Date(rotated.body.previousSecretExpiresAt).getTime() + 50, 'overlap over', 5000);
    await sendTest(id);
    const [, after] = await rx.waitForCalls('/rotate', 2);
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifies(newSecret, after)).toBe(true);
    expect(verifies(oldSecret, after)).toBe(false);
  });

  it('filters and paginates the delivery log', async () => {
    const { id } = await createEndpoint('/log', { eventTypes: ['webhook.test', 'job.completed'] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await sendTest(id)).deliveryId);
    await ds.transaction((em) => t.app.get(EventPublisher).publish(em, { type: 'job.completed', teamId: owner.teamId, data: { job_id: 'j1' } }));
    await rx.waitForCalls('/log', 4);
    const base = `${hooks()}/${id}/deliveries`;
    await until(async () => (await t.http().get(base).query({ status: 'delivered' }).set(owner.auth)).body.data.length === 4, 'all delivered');

    const p1 = await t.http().get(base).query({ limit: 3 }).set(owner.auth).expect(200);
    expect(p1.body.data).toHaveLength(3);
    expect(p1.body.nextCursor).toEqual(expect.any(String));
    const p2 = await t.http().get(base).query({ limit: 3, cursor: p1.body.nextCursor }).set(owner.auth).expect(200);
    expect(p2.body.data).toHaveLength(1);
    expect(p2.body.nextCursor).toBeNull();
    const all = [...p1.body.data, ...p2.body.data].map((d: { id: string }) => d.id);
    expect(new Set(all).size).toBe(4);
    expect(all).toEqual(expect.arrayContaining(ids));

    const tests = await t.http().get(base).query({ eventType: 'webhook.test' }).set(owner.auth).expect(200);
    expect(tests.body.data).toHaveLength(3);
    const jobs = await t.http().get(base).query({ eventType: 'job.completed' }).set(owner.auth).expect(200);
    expect(jobs.body.data).toHaveLength(1);
    expect((await t.http().get(base).query({ status: 'failed' }).set(owner.auth).expect(200)).body.data).toHaveLength(0);
    expect((await t.http().get(base).query({ until: '2020-01-01T00:00:00Z' }).set(owner.auth).expect(200)).body.data).toHaveLength(0);
    expect((await t.http().get(base).query({ since: new Date(Date.now() - 60_000).toISOString() }).set(owner.auth).expect(200)).body.data).toHaveLength(4);
    expect((await t.http().get(base).query({ since: new Date(Date.now() + 60_000).toISOString() }).set(owner.auth).expect(200)).body.data).toHaveLength(0);
    for (const [q, field] of [
      [{ status: 'lost' }, 'status'],
      [{ eventType: 'x.y' }, 'eventType'],
      [{ since: 'yesterday' }, 'since'],
      [{ limit: 0 }, 'limit'],
    ] as const) {
      const res = await t.http().get(base).query(q).set(owner.auth).expect(400);
      expect(res.body.message).toContain(field);
    }

    // replay: a delivered delivery sent again on request, same webhook-id
    const replay = await t.http().post(`${base}/${ids[0]}/retry`).set(owner.auth).expect(202);
    expect(replay.body.id).toBe(ids[0]);
    await rx.waitForCalls('/log', 5);
    const byId = rx.callsTo('/log').map((c) => c.headers['webhook-id']);
    expect(new Set(byId).size).toBe(4);
  });

  it('a rolled-back transaction sends nothing', async () => {
    const { id } = await createEndpoint('/rollback', { eventTypes: ['job.failed'] });
    await expect(
      ds.transaction(async (em) => {
        await t.app.get(EventPublisher).publish(em, { type: 'job.failed', teamId: owner.teamId, data: { job_id: 'rolled-back' } });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const { deliveryIds } = await ds.transaction((em) =>
      t.app.get(EventPublisher).publish(em, { type: 'job.failed', teamId: owner.teamId, data: { job_id: 'committed' } }),
    );
    const [call] = await rx.waitForCalls('/rollback', 1);
    expect(JSON.parse(call.rawBody).data.job_id).toBe('committed');
    // no sleep: the rolled-back event has no row and the endpoint one delivery (below), so nothing else can be sent
    expect(rx.callsTo('/rollback')).toHaveLength(1);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM webhook_event WHERE data->>'job_id' = 'rolled-back'`);
    expect(n).toBe(0);
    expect(deliveryIds.length).toBeGreaterThanOrEqual(1); // other endpoints of the team subscribe to job.failed too
    expect((await t.http().get(`${hooks()}/${id}/deliveries`).set(owner.auth)).body.data).toHaveLength(1);
  });

  it('forgets events published inside a rolled-back savepoint, keeps the outer ones', async () => {
    await createEndpoint('/savepoint', { eventTypes: ['job.completed'] });
    const events = t.app.get(EventPublisher);
    await ds.transaction(async (em) => {
      await events.publish(em, { type: 'job.completed', teamId: owner.teamId, data: { job_id: 'outer' } });
      await em
        .transaction(async (inner) => {
          await events.publish(inner, { type: 'job.completed', teamId: owner.teamId, data: { job_id: 'inner' } });
          throw new Error('inner failed');
        })
        .catch(() => undefined);
    });
    const [call] = await rx.waitForCalls('/savepoint', 1);
    expect(JSON.parse(call.rawBody).data.job_id).toBe('outer');
    // no sleep: the inner event has no row (below), so it can never be sent
    expect(rx.callsTo('/savepoint')).toHaveLength(1);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM webhook_event WHERE data->>'job_id' = 'inner'`);
    expect(n).toBe(0);
  });

  it('a delivery leased by another live dispatcher is not sent; once the lease runs out the sweeper gives it back', async () => {
    const { id } = await createEndpoint('/sweep', { eventTypes: ['memory.created'] });
    // Published and, in the same transaction, leased by a dispatcher elsewhere that is still sending it.
    const { deliveryIds } = await ds.transaction(async (em) => {
      const res = await t.app.get(EventPublisher).publish(em, { type: 'memory.created', teamId: owner.teamId, data: { memory_id: 'm1' } });
      await em.query(`UPDATE webhook_delivery SET claimed_until = now() + interval '1 hour', claimed_by = 'elsewhere' WHERE endpoint_id = $1`, [id]);
      return res;
    });
    const [leased] = (await ds.query(`SELECT id FROM webhook_delivery WHERE endpoint_id = $1`, [id])) as { id: string }[];
    expect(deliveryIds).toContain(leased.id);
    const sweeper = t.app.get(WebhookSweeper);
    expect(await sweeper.sweep()).toBe(0);
    // a delivery published after it goes out: the dispatcher claimed since, and passed the leased one by
    const marker = await createEndpoint('/sweep-marker', { eventTypes: ['webhook.test'] });
    await sendTest(marker.id);
    await rx.waitForCalls('/sweep-marker', 1);
    expect(rx.callsTo('/sweep')).toHaveLength(0);

    // that dispatcher died: its lease runs out, the sweep gives the delivery back and it is sent
    await ds.query(`UPDATE webhook_delivery SET claimed_until = now() - interval '1 second' WHERE id = $1`, [leased.id]);
    expect(await sweeper.sweep()).toBe(1);
    await rx.waitForCalls('/sweep', 1);
    await until(async () => (await delivery(id, leased.id)).status === 'delivered', 'delivered after the lease ran out');
    expect(await sweeper.sweep()).toBe(0);
  });

  it('a secret that cannot be decrypted fails the delivery (no request, no retry loop) until the secret is rotated', async () => {
    const { id } = await createEndpoint('/undecryptable', { eventTypes: ['webhook.test'] });
    // as if its key had left ENCRYPTION_KEYS
    await ds.query(`UPDATE webhook_endpoint SET secret_encrypted = regexp_replace(secret_encrypted, '^v1\\.[^.]+\\.', 'v1.gone.') WHERE id = $1`, [id]);
    const since = new Date(Date.now() - 1000).toISOString();
    const { deliveryId } = await sendTest(id);
    await until(async () => (await delivery(id, deliveryId)).status === 'failed', 'delivery failed');
    expect(await delivery(id, deliveryId)).toMatchObject({ lastErrorCode: 'SECRET_UNAVAILABLE', attempts: [] });
    expect(await endpoint(id)).toMatchObject({ status: 'failing', statusReason: expect.stringContaining('rotate') });
    expect(rx.callsTo('/undecryptable')).toHaveLength(0);

    const rotated = await t.http().post(`${hooks()}/${id}/rotate-secret`).set(owner.auth).expect(200);
    secrets.push(rotated.body.secret);
    expect(rotated.body.previousSecretExpiresAt).toBeNull();
    await t.http().post(`${hooks()}/${id}/recover`).set(owner.auth).send({ since }).expect(202);
    const [call] = await rx.waitForCalls('/undecryptable', 1);
    expect(verifies(rotated.body.secret, call)).toBe(true);
    await until(async () => (await endpoint(id)).status === 'active', 'endpoint active again');
  });

  it('refuses an unknown event type at publish time', async () => {
    await expect(ds.transaction((em) => t.app.get(EventPublisher).publish(em, { type: 'made.up', teamId: owner.teamId, data: {} }))).rejects.toThrow(
      'unknown event type',
    );
  });

  it('sends conversation.created and message.created from the chat API', async () => {
    const { id, secret } = await createEndpoint('/chat', { eventTypes: ['conversation.created', 'message.created'] });
    const agentId = await newAgent('Chatty');
    const chat = await t.http().post(`/v1/teams/${owner.teamId}/agents/${agentId}/chat`).set(owner.auth).send({ text: 'hello there' }).expect(200);
    const calls = await rx.waitForCalls('/chat', 3);
    const bodies = calls.map((c) => JSON.parse(c.rawBody));
    expect(bodies.map((b) => b.type).sort()).toEqual(['conversation.created', 'message.created', 'message.created']);
    const conv = bodies.find((b) => b.type === 'conversation.created');
    expect(conv.data).toMatchObject({ conversation_id: chat.body.conversationId, agent_id: agentId });
    const roles = bodies.filter((b) => b.type === 'message.created').map((b) => b.data.role);
    expect(roles.sort()).toEqual(['assistant', 'user']);
    expect(bodies.find((b) => b.data.role === 'user').data.content_preview).toBe('hello there');
    for (const c of calls) expect(verifies(secret, c)).toBe(true);
    await t.http().delete(`${hooks()}/${id}`).set(owner.auth).expect(204);
  });

  it('sends platform_connection.status_changed without credentials', async () => {
    const { secret } = await createEndpoint('/conn', { eventTypes: ['platform_connection.status_changed'] });
    const agentId = await newAgent('Telegram bot');
    const conn = await t
      .http()
      .post(`/v1/teams/${owner.teamId}/agents/${agentId}/connections`)
      .set(owner.auth)
      .send({ platform: 'telegram', credentials: { botToken: TG_TOKEN } })
      .expect(201);
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${agentId}/connections/${conn.body.id}`).set(owner.auth).send({ status: 'paused' }).expect(200);
    const [call] = await rx.waitForCalls('/conn', 1);
    expect(verifies(secret, call)).toBe(true);
    const body = JSON.parse(call.rawBody);
    expect(body.type).toBe('platform_connection.status_changed');
    expect(body.data).toMatchObject({ connection_id: conn.body.id, agent_id: agentId, platform: 'telegram', from: 'active', to: 'paused', reason: 'paused by an admin' });
    expect(call.rawBody).not.toContain(TG_TOKEN);
    expect(call.rawBody).not.toContain(TG_TOKEN.split(':')[1]);
  });

  it('retention prunes old delivered deliveries and their attempts only', async () => {
    const { id } = await createEndpoint('/retention', { eventTypes: ['webhook.test'] });
    const oldDelivered = await sendTest(id);
    const recent = await sendTest(id);
    await until(async () => (await t.http().get(`${hooks()}/${id}/deliveries`).query({ status: 'delivered' }).set(owner.auth)).body.data.length === 2, 'delivered');
    rx.respondOn('/retention', 410);
    const oldFailed = await sendTest(id);
    await until(async () => (await delivery(id, oldFailed.deliveryId)).status === 'failed', 'failed');
    // 40 days older (an event and its deliveries are created at the same instant: both move together)
    await ds.query(`UPDATE webhook_delivery SET created_at = created_at - interval '40 days', delivered_at = now() - interval '40 days' WHERE id = $1`, [oldDelivered.deliveryId]);
    await ds.query(`UPDATE webhook_delivery SET created_at = created_at - interval '40 days' WHERE id = $1`, [oldFailed.deliveryId]);
    await ds.query(`UPDATE webhook_event SET created_at = created_at - interval '40 days' WHERE id IN ($1, $2)`, [oldDelivered.eventId, oldFailed.eventId]);

    const pruned = await t.app.get(WebhookSweeper).prune(1);
    expect(pruned.deliveries).toBe(1);
    expect(pruned.events).toBeGreaterThanOrEqual(1);
    const left = (await ds.query(`SELECT id FROM webhook_delivery WHERE endpoint_id = $1`, [id])).map((r: { id: string }) => r.id).sort();
    expect(left).toEqual([recent.deliveryId, oldFailed.deliveryId].sort());
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM webhook_attempt WHERE delivery_id = $1`, [oldDelivered.deliveryId]);
    expect(n).toBe(0);
    const events = (await ds.query(`SELECT id FROM webhook_event WHERE id IN ($1, $2)`, [oldDelivered.eventId, oldFailed.eventId])).map((r: { id: string }) => r.id);
    expect(events).toEqual([oldFailed.eventId]);
  });

  it('nothing of a delivery goes through Redis; the wake-up carries no data', async () => {
    const { id } = await createEndpoint('/payload', { eventTypes: ['webhook.test'] });
    const listener = new Client({ connectionString: t.config.database.url });
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (m) => payloads.push(`${m.channel}:${m.payload}`));
    await listener.query(`LISTEN ${WAKEUP_CHANNEL}`);
    try {
      const { deliveryId, eventId } = await sendTest(id);
      await rx.waitForCalls('/payload', 1);
      await until(() => payloads.length > 0, 'a wake-up notification');
      for (const p of payloads) expect(p).toMatch(new RegExp(`^${WAKEUP_CHANNEL}:[0-9a-f]{16}$`));
      const redis = new Redis(t.config.redis.url);
      try {
        const keys = await redis.keys(`${t.config.redis.prefix}:*`);
        for (const key of keys) {
          expect(key).not.toContain('webhook');
          expect(key).not.toContain(deliveryId);
        }
        const dump = (await Promise.all(keys.map((k) => redis.type(k).then((type) => (type === 'string' ? redis.get(k) : ''))))).join('\n');
        expect(dump).not.toContain(eventId);
      } finally {
        redis.disconnect();
      }
    } finally {
      await listener.end();
    }
    await t.http().delete(`${hooks()}/${id}`).set(owner.auth).expect(204);
  });

  it('never writes a secret to the logs or to any response besides create/rotate', () => {
    expect(secrets.length).toBeGreaterThan(5);
    const text = logs.text();
    expect(text.length).toBeGreaterThan(1000);
    for (const s of secrets) {
      expect(text).not.toContain(s);
      expect(text).not.toContain(s.slice(6));
      for (const r of responses) expect(r).not.toContain(s);
    }
    expect(EVENT_TYPES.length).toBe(13);
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConnectionChanges } from '../../src/connections/connection-changes';
import { signGitHubPayload } from '../../src/integrations/github/github-signature';
import { FakeGitHubApi, FakeSlackApi, FakeTelegramApi } from '../fakes';
import { connectSlackApp, eventEnvelope, nextTs, postSigned, SlackAppFixture } from '../factories/slack';
import { connectTelegramBot, postUpdate, textUpdate } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { PrivateRedis } from '../utils/private-redis';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const GH_TOKEN = 'ghp_cacheinvalidationtoken0123456789ab';

/**
 * Two app instances (replicas) on one database and one Redis (same BULLMQ_PREFIX): a change made through one must
 * take effect on the other at once — not when a cache entry expires.
 */
describe('Inbound webhook secrets across replicas (two app instances)', () => {
  let slack: FakeSlackApi;
  let gh: FakeGitHubApi;
  let tg: FakeTelegramApi;
  let a: TestApp;
  let b: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let env: Record<string, string>;

  const mention = (app: SlackAppFixture): string =>
    JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> hi`, ts: nextTs(), channel: 'CSECRETS' }));
  const connectionPath = (agentId: string, id: string): string => `/v1/teams/${owner.teamId}/agents/${agentId}/connections/${id}`;
  const connectGitHub = async (t: TestApp): Promise<{ connectionId: string; agentId: string; secret: string }> => {
    const agent = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: `GitHub ${randomUUID().slice(0, 6)}` }).expect(201);
    const conn = await t.http().post(`/v1/teams/${owner.teamId}/agents/${agent.body.id}/connections`).set(owner.auth).send({ platform: 'github', credentials: { token: GH_TOKEN } }).expect(201);
    return { connectionId: conn.body.id, agentId: agent.body.id, secret: conn.body.setup.webhookSecret };
  };
  /** A signed `ping`: verified by the guard, answered without storing anything. */
  const ping = (t: TestApp, connectionId: string, secret: string) => {
    const raw = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    return t.http().post(`/webhooks/github/${connectionId}`).set('content-type', 'application/json').set('x-github-event', 'ping')
      .set('x-github-delivery', randomUUID()).set('x-hub-signature-256', signGitHubPayload(secret, raw)).send(raw);
  };

  beforeAll(async () => {
    [slack, gh, tg] = await Promise.all([new FakeSlackApi().start(), new FakeGitHubApi().start(), new FakeTelegramApi().start()]);
    gh.addToken(GH_TOKEN, { login: 'cache-bot', id: 9100, type: 'User', scopes: ['repo'] });
    env = {
      SLACK_API_URL: `${slack.url}/api/`,
      GITHUB_API_URL: gh.url,
      GITHUB_RETRY_AND_THROTTLE: 'false',
      TELEGRAM_API_ROOT: tg.url,
      PUBLIC_BASE_URL: 'https://sb.example.com',
      CONNECTION_HEALTH_INTERVAL_S: '0',
      INBOUND_SWEEP_INTERVAL_S: '0',
      TELEGRAM_POLL_SCAN_MS: '0',
    };
    a = await createTestApp({ env });
    b = await createTestApp({ env, reuseDatabase: true });
    ds = a.app.get(DataSource);
    owner = await ownerWithTeam(a, 'Replicas');
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await Promise.all([slack.stop(), gh.stop(), tg.stop()]);
  });

  it('both instances subscribe to change notices (one Redis channel under BULLMQ_PREFIX) soon after boot', async () => {
    for (const t of [a, b]) {
      await until(() => t.app.get(ConnectionChanges).live, 'the subscription', 5000);
      expect(t.app.get(ConnectionChanges).channel).toBe(`${a.config.redis.prefix}:connection-changed`);
    }
  });

  it('a replaced Slack signing secret stops verifying on the other instance within 1 s; the new one verifies', async () => {
    const app = await connectSlackApp(a, slack, owner);
    await postSigned(b, app, '', mention(app)).expect(200); // B now holds the connection and its secret
    await postSigned(a, app, '', mention(app)).expect(200);
    const next = randomBytes(16).toString('hex');
    await a.http().patch(connectionPath(app.agentId, app.connectionId)).set(owner.auth).send({ credentials: { botToken: app.botToken, signingSecret: next } }).expect(200);

    await postSigned(a, app, '', mention(app)).expect(401); // the instance that made the change: at once
    await until(async () => (await postSigned(b, app, '', mention(app))).status === 401, 'the old secret to be refused on instance B', 1000);
    for (const t of [a, b]) {
      await postSigned(t, app, '', mention(app)).expect(401);
      await postSigned(t, { ...app, signingSecret: next }, '', mention(app)).expect(200);
    }
  });

  it('a deleted connection answers 404 at once on both instances — like an unknown one, never 500', async () => {
    const app = await connectSlackApp(a, slack, owner);
    const bot = await connectTelegramBot(a, tg, owner);
    for (const t of [a, b]) {
      await postSigned(t, app, '', mention(app)).expect(200);
      await postUpdate(t, bot, textUpdate(4242, 'hello')).expect(200);
    }
    await a.http().delete(connectionPath(app.agentId, app.connectionId)).set(owner.auth).expect(204);
    await a.http().delete(connectionPath(bot.agentId, bot.connectionId)).set(owner.auth).expect(204);

    const unknown = await postSigned(a, { ...app, connectionId: randomUUID() }, '', mention(app)).expect(404);
    for (const t of [a, b]) {
      const s = await postSigned(t, app, '', mention(app));
      const g = await postUpdate(t, bot, textUpdate(4242, 'again'));
      expect([s.status, g.status]).toEqual([404, 404]);
      for (const res of [s, g]) expect({ ...res.body, requestId: undefined }).toEqual({ ...unknown.body, requestId: undefined });
    }
    expect(unknown.body).toMatchObject({ message: 'connection not found' });
    expect(JSON.stringify(unknown.body)).not.toMatch(/slack|telegram|team|agent/i);
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM inbound_event WHERE connection_id = ANY($1)', [[app.connectionId, bot.connectionId]]);
    expect(n).toBe(0);
  });

  it('a connection removed with its agent (no change notice) is 404 on an instance still holding it, not a foreign-key 500', async () => {
    const app = await connectSlackApp(a, slack, owner);
    for (const t of [a, b]) await postSigned(t, app, '', mention(app)).expect(200);
    await a.http().delete(`/v1/teams/${owner.teamId}/agents/${app.agentId}`).set(owner.auth).expect(204);
    for (const t of [a, b]) {
      await postSigned(t, app, '', mention(app)).expect(404);
      await postSigned(t, app, '', mention(app)).expect(404);
    }
  });

  it('unknown, malformed and other-platform connection ids are the same 404 on every platform route', async () => {
    const gitHub = await connectGitHub(a);
    const app = await connectSlackApp(a, slack, owner);
    const bodies: string[] = [];
    const check = async (path: string): Promise<void> => {
      const res = await b.http().post(path).set('content-type', 'application/json').set('x-github-event', 'ping').send('{}');
      expect(`${path} ${res.status}`).toBe(`${path} 404`);
      bodies.push(JSON.stringify({ ...res.body, requestId: undefined }));
    };
    for (const id of [randomUUID(), 'not-a-uuid', gitHub.connectionId]) {
      for (const path of [`/webhooks/slack/${id}`, `/webhooks/slack/${id}/commands`, `/webhooks/telegram/${id}`]) await check(path);
    }
    for (const id of [randomUUID(), 'not-a-uuid', app.connectionId]) await check(`/webhooks/github/${id}`);
    expect(new Set(bodies)).toEqual(new Set([bodies[0]]));
    expect(JSON.parse(bodies[0])).toMatchObject({ message: 'connection not found' });
  });

  it('while an instance cannot receive change notices (its Redis is down), a change still reaches it within the short TTL', async () => {
    const redis = await new PrivateRedis().start();
    let c: TestApp | undefined;
    try {
      // an api replica (no BullMQ workers of its own) on a Redis of its own
      c = await createTestApp({ env: { ...env, REDIS_URL: redis.url, ROLE: 'api' }, reuseDatabase: true });
      const changes = c.app.get(ConnectionChanges);
      await until(() => changes.live, 'instance C to subscribe', 5000);
      const hook = await connectGitHub(a);
      await ping(c, hook.connectionId, hook.secret).expect(200);
      await redis.stop();
      await until(() => !changes.live, 'instance C to notice its Redis is gone', 10_000);
      const next = `whsec${randomBytes(16).toString('hex')}`;
      await a.http().patch(connectionPath(hook.agentId, hook.connectionId)).set(owner.auth).send({ credentials: { token: GH_TOKEN, webhookSecret: next } }).expect(200);
      const changed = Date.now();
      await until(async () => (await ping(c!, hook.connectionId, hook.secret)).status === 401, 'the old secret to be refused on instance C', 5000);
      expect(Date.now() - changed).toBeLessThan(5000);
      await ping(c, hook.connectionId, next).expect(200);
    } finally {
      if (!redis.running) await redis.start(); // back, so the instance's queues close cleanly
      await c?.close();
      await redis.stop();
    }
  }, 60_000);
});

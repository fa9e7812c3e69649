import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { ConnectionHealthService } from '../../src/connections/connection-health.service';
import { LOG_DESTINATION } from '../../src/logging/logging.module';
import { FakeGitHubApi, FakeSlackApi, FakeTelegramApi } from '../fakes';
import { Actor, memberOf, ownerWithTeam } from '../factories/users';
import { LogCapture } from '../utils/log-capture';
import { createTestApp, TestApp } from '../utils/test-app';

const run = promisify(execFile);
const TG_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const TG_TOKEN_2 = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsXY';
const SLACK = { token: 'xoxb-1111-2222-abcdefghijklmnop', signingSecret: '8f742231b10e8888abcd99yyyzzz85a5' };
const GH_TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
const { privateKey: APP_KEY } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

describe('platform connections (e2e, against fake platform APIs)', () => {
  let tg: FakeTelegramApi;
  let slack: FakeSlackApi;
  let gh: FakeGitHubApi;
  let t: TestApp;
  let logs: LogCapture;
  let owner: Actor & { teamId: string };
  let member: Actor;
  let agentId: string;
  const responses: string[] = [];

  const env = (): Record<string, string> => ({
    TELEGRAM_API_ROOT: tg.url,
    SLACK_API_URL: `${slack.url}/api/`,
    GITHUB_API_URL: gh.url,
    PUBLIC_BASE_URL: 'https://sb.example.com',
    CONNECTION_HEALTH_INTERVAL_S: '0',
    CONNECTION_HEALTH_FAILURES: '3',
    PLATFORM_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'trace',
  });
  const base = (a = agentId): string => `/v1/teams/${owner.teamId}/agents/${a}/connections`;
  const keep = <T extends { text: string }>(res: T): T => {
    responses.push(res.text);
    return res;
  };
  const newAgent = async (name: string): Promise<string> =>
    (await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name }).expect(201)).body.id;

  beforeAll(async () => {
    [tg, slack, gh] = await Promise.all([new FakeTelegramApi().start(), new FakeSlackApi().start(), new FakeGitHubApi().start()]);
    tg.addBot(TG_TOKEN, { id: 7001, username: 'acme_support_bot', first_name: 'Acme Support' });
    tg.addBot(TG_TOKEN_2, { id: 7001, username: 'acme_support_bot', first_name: 'Acme Support' });
    slack.addWorkspace({ token: SLACK.token, teamId: 'T0001', team: 'Acme', botUserId: 'U0BOT', botId: 'B0BOT', userName: 'acme-agent' });
    gh.addToken(GH_TOKEN, { login: 'acme-bot', id: 501, type: 'User', scopes: ['repo'] });
    gh.addApp({ appId: 4242, slug: 'acme-agent', installationId: 99, login: 'acme-agent[bot]' });
    logs = new LogCapture();
    t = await createTestApp({ env: env(), override: (b) => b.overrideProvider(LOG_DESTINATION).useValue(logs) });
    owner = await ownerWithTeam(t, 'Acme');
    member = await memberOf(t, owner, owner.teamId, 'member');
    agentId = await newAgent('Support');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), slack.stop(), gh.stop()]);
  });

  describe('Telegram', () => {
    let connectionId: string;
    let secretToken: string;

    it('validates the token with getMe, registers the webhook with a secret token, and masks the credentials', async () => {
      const res = keep(await t.http().post(base()).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: TG_TOKEN } }).expect(201));
      connectionId = res.body.id;
      expect(res.body).toMatchObject({
        platform: 'telegram',
        status: 'active',
        agentId,
        externalBotId: '7001',
        displayName: '@acme_support_bot',
        webhookUrl: `https://sb.example.com/webhooks/telegram/${connectionId}`,
        credentials: { botToken: `…${TG_TOKEN.slice(-4)}`, secretToken: '…' },
        settings: { mode: 'webhook' },
        setup: { webhookUrl: `https://sb.example.com/webhooks/telegram/${connectionId}` },
      });
      expect(tg.callsTo('getMe')).toHaveLength(1);
      const [hook] = tg.callsTo('setWebhook');
      const body = hook.body as { url: string; secret_token: string; allowed_updates: string[] };
      expect(body.url).toBe(`https://sb.example.com/webhooks/telegram/${connectionId}`);
      expect(body.secret_token).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
      expect(body.allowed_updates).toEqual(['message', 'edited_message', 'callback_query', 'my_chat_member']);
      expect(tg.callsTo('setMyCommands')).toHaveLength(1);
      secretToken = body.secret_token;
    });

    it('refuses a second Telegram connection for the same agent with 409', async () => {
      const res = await t.http().post(base()).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: TG_TOKEN } }).expect(409);
      expect(res.body.message).toContain('already has a telegram connection');
    });

    it('members read but cannot write; the connection shows in the team-wide list', async () => {
      keep(await t.http().get(`${base()}/${connectionId}`).set(member.auth).expect(200));
      await t.http().patch(`${base()}/${connectionId}`).set(member.auth).send({ status: 'paused' }).expect(403);
      const list = keep(await t.http().get(`/v1/teams/${owner.teamId}/connections?platform=telegram`).set(member.auth).expect(200));
      expect(list.body.data.map((c: { id: string }) => c.id)).toEqual([connectionId]);
    });

    it('pauses and resumes, recording each status change; resuming re-checks with the platform', async () => {
      const getMeBefore = tg.callsTo('getMe').length;
      keep(await t.http().patch(`${base()}/${connectionId}`).set(owner.auth).send({ status: 'paused' }).expect(200));
      const resumed = keep(await t.http().patch(`${base()}/${connectionId}`).set(owner.auth).send({ status: 'active' }).expect(200));
      expect(resumed.body.status).toBe('active');
      expect(tg.callsTo('getMe').length).toBe(getMeBefore + 1);
      const health = keep(await t.http().get(`${base()}/${connectionId}/health`).set(member.auth).expect(200));
      expect(health.body.recentStatusChanges.map((c: { from: string; to: string }) => `${c.from}>${c.to}`)).toEqual(['paused>active', 'active>paused']);
    });

    it('replacing the token keeps the secret token stable and re-registers the webhook', async () => {
      const res = keep(await t.http().patch(`${base()}/${connectionId}`).set(owner.auth).send({ credentials: { botToken: TG_TOKEN_2 } }).expect(200));
      expect(res.body.credentials.botToken).toBe(`…${TG_TOKEN_2.slice(-4)}`);
      const hooks = tg.callsTo('setWebhook');
      expect((hooks[hooks.length - 1].body as { secret_token: string }).secret_token).toBe(secretToken);
    });

    it('validates settings by name', async () => {
      const res = await t.http().patch(`${base()}/${connectionId}`).set(owner.auth).send({ settings: { mode: 'carrier-pigeon' } }).expect(400);
      expect(res.body.details).toEqual([{ field: 'settings.mode', messages: ['settings.mode must be one of: webhook, polling'] }]);
    });

    it('health checks: failures count up, N in a row set error with the reason, a success resets', async () => {
      const svc = t.app.get(ConnectionHealthService);
      tg.failNext('getMe', { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } }, 2);
      await svc.runHealthChecks();
      await svc.runHealthChecks();
      let h = (await t.http().get(`${base()}/${connectionId}/health`).set(owner.auth).expect(200)).body;
      expect(h).toMatchObject({ status: 'active', consecutiveFailures: 2, errorMessage: expect.stringContaining('Unauthorized') });
      await svc.runHealthChecks();
      h = (await t.http().get(`${base()}/${connectionId}/health`).set(owner.auth).expect(200)).body;
      expect(h).toMatchObject({ status: 'active', consecutiveFailures: 0, errorMessage: null, lastCheckedAt: expect.any(String) });
      tg.failNext('getMe', { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } }, 3);
      for (let i = 0; i < 3; i++) await svc.runHealthChecks();
      h = (await t.http().get(`${base()}/${connectionId}/health`).set(owner.auth).expect(200)).body;
      expect(h.status).toBe('error');
      expect(h.errorMessage).toMatch(/3 health checks in a row failed: .*Unauthorized/);
      expect(h.recentStatusChanges[0]).toMatchObject({ from: 'active', to: 'error' });
      // resuming re-validates and clears the error
      const resumed = await t.http().patch(`${base()}/${connectionId}`).set(owner.auth).send({ status: 'active' }).expect(200);
      expect(resumed.body).toMatchObject({ status: 'active', errorMessage: null, consecutiveFailures: 0 });
    });
  });

  describe('refusals leave nothing behind', () => {
    let agent: string;
    beforeAll(async () => {
      agent = await newAgent('Refusals');
    });
    const count = async (): Promise<number> =>
      Number((await t.app.get(DataSource).query('SELECT count(*) FROM platform_connection WHERE agent_id = $1', [agent]))[0].count);

    it('bad credentials → 422 with the platform reason', async () => {
      const res = await t.http().post(base(agent)).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: '999999:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } }).expect(422);
      expect(res.body.message).toMatch(/telegram rejected the credentials: Unauthorized/);
      expect(res.body.code).toBe('INVALID_CREDENTIALS');
      const s = await t.http().post(base(agent)).set(owner.auth).send({ platform: 'slack', credentials: { botToken: 'xoxb-0000-0000-notknownatall', signingSecret: SLACK.signingSecret } }).expect(422);
      expect(s.body.message).toContain('invalid_auth');
      const g = await t.http().post(base(agent)).set(owner.auth).send({ platform: 'github', credentials: { token: 'ghp_unknownunknownunknownunknown00' } }).expect(422);
      expect(g.body.message).toContain('Bad credentials');
      expect(await count()).toBe(0);
    });

    it('shape errors → 400 naming the field; unknown fields are refused', async () => {
      const a = await t.http().post(base(agent)).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: TG_TOKEN, extra: 'x' } }).expect(400);
      expect(a.body.details).toEqual([{ field: 'credentials.extra', messages: [expect.stringContaining('credentials.extra is not a known field')] }]);
      const b = await t.http().post(base(agent)).set(owner.auth).send({ platform: 'slack', credentials: { botToken: SLACK.token } }).expect(400);
      expect(b.body.details.map((d: { field: string }) => d.field)).toEqual(['credentials.signingSecret']);
      const c = await t.http().post(base(agent)).set(owner.auth).send({ platform: 'fax', credentials: {} }).expect(400);
      expect(c.body.message).toContain('platform must be one of');
      const d = await t.http().post(base(agent)).set(owner.auth).send({ platform: 'discord', credentials: {} }).expect(400);
      expect(d.body.message).toContain('not supported yet');
      const e = await t.http().post(base(agent)).set(owner.auth).send({ platform: 'github', credentials: { appId: 1 } }).expect(400);
      expect(e.body.details.map((x: { field: string }) => x.field).sort()).toEqual(['credentials.installationId', 'credentials.privateKey']);
      expect(await count()).toBe(0);
    });

    it('the platform failing → 502; the platform refusing the webhook → 422; nothing stored either way', async () => {
      tg.failNext('getMe', { status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } });
      const a = await t.http().post(base(agent)).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: TG_TOKEN } }).expect(502);
      expect(a.body.message).toMatch(/telegram could not be reached/);
      expect(a.body.code).toBe('PLATFORM_UNAVAILABLE');
      tg.failNext('setWebhook', { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: bad webhook: HTTPS url must be provided for webhook' } });
      const b = await t.http().post(base(agent)).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: TG_TOKEN } }).expect(422);
      expect(b.body.message).toContain('HTTPS url must be provided');
      expect(b.body.code).toBe('PLATFORM_REJECTED');
      expect(await count()).toBe(0);
    });
  });

  describe('Slack and GitHub', () => {
    it('Slack: auth.test learns the bot; the response gives the Request URL, bot events and an app manifest', async () => {
      const agent = await newAgent('Slacker');
      const res = keep(await t.http().post(base(agent)).set(owner.auth).send({ platform: 'slack', credentials: { botToken: SLACK.token, signingSecret: SLACK.signingSecret } }).expect(201));
      const url = `https://sb.example.com/webhooks/slack/${res.body.id}`;
      expect(res.body).toMatchObject({
        externalBotId: 'B0BOT',
        platformInfo: { botUserId: 'U0BOT', teamId: 'T0001' },
        credentials: { botToken: `…${SLACK.token.slice(-4)}`, signingSecret: `…${SLACK.signingSecret.slice(-4)}` },
        setup: { requestUrl: url, botEvents: ['app_mention', 'message.im'], manifest: { settings: { event_subscriptions: { request_url: url } } } },
      });
      expect(slack.callsTo('auth.test').length).toBeGreaterThan(0);
    });

    it('GitHub with a token: the login is stored and the generated webhook secret is shown once', async () => {
      const agent = await newAgent('Reviewer');
      const res = await t.http().post(base(agent)).set(owner.auth).send({ platform: 'github', credentials: { token: GH_TOKEN }, settings: { repositories: ['Acme/Widgets'] } }).expect(201);
      expect(res.body).toMatchObject({
        displayName: 'acme-bot',
        webhookUrl: `https://sb.example.com/webhooks/github/${res.body.id}`,
        settings: { repositories: ['acme/widgets'], events: ['issues', 'issue_comment', 'pull_request', 'push', 'release'] },
        setup: { contentType: 'application/json', webhookSecret: expect.stringMatching(/^[A-Za-z0-9+/=]{40,}$/) },
      });
      const again = keep(await t.http().get(`${base(agent)}/${res.body.id}`).set(owner.auth).expect(200));
      expect(again.text).not.toContain(res.body.setup.webhookSecret);
      expect(again.body.setup).toBeUndefined();
    });

    it('GitHub App: the JWT and an installation token prove the credentials; the bot is <slug>[bot]', async () => {
      const agent = await newAgent('App agent');
      const res = keep(
        await t.http().post(base(agent)).set(owner.auth).send({ platform: 'github', credentials: { appId: 4242, installationId: 99, privateKey: APP_KEY } }).expect(201),
      );
      expect(res.body).toMatchObject({ displayName: 'acme-agent[bot]', platformInfo: { kind: 'app', slug: 'acme-agent', installationId: 99 } });
      expect(gh.calls.filter((c) => c.method === 'POST' && c.path === '/app/installations/99/access_tokens').length).toBeGreaterThan(0);
    });

    it('DELETE disconnects at the platform, then deletes', async () => {
      const agent = await newAgent('Short-lived');
      const created = await t.http().post(base(agent)).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: TG_TOKEN } }).expect(201);
      const before = tg.callsTo('deleteWebhook').length;
      await t.http().delete(`${base(agent)}/${created.body.id}`).set(owner.auth).expect(204);
      expect(tg.callsTo('deleteWebhook').length).toBe(before + 1);
      await t.http().get(`${base(agent)}/${created.body.id}`).set(owner.auth).expect(404);
    });
  });

  describe('secrets never leave', () => {
    const secrets = (): string[] => [TG_TOKEN, TG_TOKEN_2, SLACK.token, SLACK.signingSecret, GH_TOKEN, APP_KEY.split('\n')[1], ...tg.callsTo('setWebhook').map((c) => (c.body as { secret_token: string }).secret_token)];

    it('the raw table file and a pg_dump of it hold no plaintext credential', async () => {
      const ds = t.app.get(DataSource);
      await ds.query('CHECKPOINT');
      const [{ dir }] = await ds.query("SELECT current_setting('data_directory') AS dir");
      const files = (await ds.query(
        "SELECT pg_relation_filepath(c.oid) AS main, pg_relation_filepath(c.reltoastrelid) AS toast FROM pg_class c WHERE c.relname = 'platform_connection'",
      )) as { main: string; toast: string | null }[];
      const raw = Buffer.concat([files[0].main, files[0].toast].filter((f): f is string => Boolean(f)).map((f) => readFileSync(join(dir, f))));
      expect(raw.length).toBeGreaterThan(0);
      expect(raw.includes(Buffer.from('v1.test1.'))).toBe(true); // the envelopes are there (control)
      const url = ds.options.type === 'postgres' ? (ds.options.url as string) : '';
      const { stdout: dump } = await run('pg_dump', ['--data-only', '--table=platform_connection', url]);
      expect(dump).toContain('v1.test1.');
      for (const s of secrets()) {
        expect(raw.includes(Buffer.from(s))).toBe(false);
        expect(dump).not.toContain(s);
      }
    });

    it('no API response and no log line contains a secret', () => {
      const all = responses.join('\n');
      const logText = logs.text();
      expect(logText.length).toBeGreaterThan(1000); // trace-level logs were captured (control)
      for (const s of secrets()) {
        expect(all).not.toContain(s);
        expect(logText).not.toContain(s);
      }
      // request lines name the process's role and the request (id, method, path)
      const requestLines = logText.split('\n').filter((l) => l.includes('"responseTime"')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(requestLines.length).toBeGreaterThan(0);
      expect(requestLines[0]).toMatchObject({ role: 'all', req: { id: expect.any(String), method: expect.any(String), url: expect.any(String) } });
    });

    it('a ciphertext copied onto another row does not decrypt: that connection goes to error with the reason', async () => {
      const ds = t.app.get(DataSource);
      const a1 = await newAgent('Swap A');
      const a2 = await newAgent('Swap B');
      const c1 = await t.http().post(base(a1)).set(owner.auth).send({ platform: 'slack', credentials: { botToken: SLACK.token, signingSecret: SLACK.signingSecret } }).expect(201);
      const c2 = await t.http().post(base(a2)).set(owner.auth).send({ platform: 'slack', credentials: { botToken: SLACK.token, signingSecret: SLACK.signingSecret } }).expect(201);
      await ds.query('UPDATE platform_connection SET credentials_encrypted = (SELECT credentials_encrypted FROM platform_connection WHERE id = $1) WHERE id = $2', [c1.body.id, c2.body.id]);
      await t.app.get(ConnectionHealthService).runHealthChecks();
      const h2 = (await t.http().get(`${base(a2)}/${c2.body.id}/health`).set(owner.auth).expect(200)).body;
      expect(h2).toMatchObject({ status: 'error', errorMessage: expect.stringContaining('could not be decrypted') });
      const h1 = (await t.http().get(`${base(a1)}/${c1.body.id}/health`).set(owner.auth).expect(200)).body;
      expect(h1.status).toBe('active');
    });
  });

  // Last: a second app instance in the same process is closed here, which also ends the first one's DataSource.
  describe('unreachable platform', () => {
    let agent: string;
    beforeAll(async () => {
      agent = await newAgent('Unreachable');
    });
    const count = async (): Promise<number> =>
      Number((await t.app.get(DataSource).query('SELECT count(*) FROM platform_connection WHERE agent_id = $1', [agent]))[0].count);

    it('an unreachable platform (nothing listening) → 502 with a message that does not leak the token', async () => {
      const down = await createTestApp({ reuseDatabase: true, env: { ...env(), TELEGRAM_API_ROOT: 'http://127.0.0.1:9' } });
      try {
        const res = await down.http().post(base(agent)).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: TG_TOKEN } }).expect(502);
        expect(res.body.message).toMatch(/telegram could not be reached: network error/);
        expect(res.text).not.toContain(TG_TOKEN);
        expect(await count()).toBe(0);
      } finally {
        await down.close();
      }
    });
  });
});

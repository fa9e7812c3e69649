import { signSlackRequest } from '../../src/integrations/slack/slack-signature';
import { FakeSlackApi, FakeTelegramApi } from '../fakes';
import { Actor, memberOf, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';

const SLACK = { botToken: 'xoxb-3333-4444-abcdefghijklmnop', signingSecret: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' };
const tgToken = (n: number): string => `12345678${n}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDs${String(n).padStart(2, '0')}`;
const BASE_URL = 'https://sb.example.com';

describe('connection setup: what the API says happened at the platform (e2e)', () => {
  let tg: FakeTelegramApi;
  let slack: FakeSlackApi;
  let t: TestApp;
  let owner: Actor & { teamId: string };
  let member: Actor;
  let stranger: Actor & { teamId: string };
  let bots = 0;

  const env = (scanMs: string): Record<string, string> => ({
    TELEGRAM_API_ROOT: tg.url,
    SLACK_API_URL: `${slack.url}/api/`,
    PUBLIC_BASE_URL: BASE_URL,
    CONNECTION_HEALTH_INTERVAL_S: '0',
    TELEGRAM_POLL_SCAN_MS: scanMs,
  });
  const newAgent = async (name: string): Promise<string> =>
    (await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name }).expect(201)).body.id;
  const connections = (agentId: string, teamId = owner.teamId): string => `/v1/teams/${teamId}/agents/${agentId}/connections`;
  const newBot = (): string => {
    const token = tgToken(++bots);
    tg.addBot(token, { id: 8000 + bots, username: `setup_bot_${bots}`, first_name: 'Setup' });
    return token;
  };

  beforeAll(async () => {
    [tg, slack] = await Promise.all([new FakeTelegramApi().start(), new FakeSlackApi().start()]);
    slack.addWorkspace({ token: SLACK.botToken, teamId: 'T0009', team: 'Acme', botUserId: 'U0SETUP', botId: 'B0SETUP', userName: 'acme-agent' });
    // polling is on, but the first scan is a minute away: nothing polls during the test
    t = await createTestApp({ env: env('60000') });
    owner = await ownerWithTeam(t, 'Acme');
    member = await memberOf(t, owner, owner.teamId, 'member');
    stranger = await ownerWithTeam(t, 'Globex');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), slack.stop()]);
  });

  describe('Slack app manifest before any connection', () => {
    it('any member gets the manifest with the URLs the connection will have; creating it gives exactly those', async () => {
      const agentId = await newAgent('Helpdesk assistant for the EMEA support organisation');
      const before = await t.http().get(`${connections(agentId)}/slack/manifest`).set(member.auth).expect(200);
      const { connectionId, requestUrl } = before.body as { connectionId: string; requestUrl: string };
      expect(before.body).toMatchObject({
        connected: false,
        requestUrl: `${BASE_URL}/webhooks/slack/${connectionId}`,
        slashCommandUrl: `${BASE_URL}/webhooks/slack/${connectionId}/commands`,
        botEvents: ['app_mention', 'message.im'],
        manifest: {
          display_information: { name: 'Helpdesk assistant for the EMEA sup' },
          features: { slash_commands: [{ command: '/agent', url: `${requestUrl}/commands` }] },
          settings: { event_subscriptions: { request_url: requestUrl, bot_events: ['app_mention', 'message.im'] } },
          oauth_config: { scopes: { bot: expect.arrayContaining(['app_mentions:read', 'chat:write', 'commands']) } },
        },
      });
      expect(before.body.manifest.display_information.name.length).toBeLessThanOrEqual(35);

      const created = await t.http().post(connections(agentId)).set(owner.auth).send({ platform: 'slack', credentials: SLACK }).expect(201);
      expect(created.body.id).toBe(connectionId);
      expect(created.body).toMatchObject({ webhookUrl: requestUrl, setup: { requestUrl, manifest: { settings: { event_subscriptions: { request_url: requestUrl } } } } });

      // Slack's URL check at the manifest's Request URL reaches the new connection
      const raw = JSON.stringify({ type: 'url_verification', challenge: 'manifest-challenge', token: 'x' });
      const ts = Math.floor(Date.now() / 1000);
      await t
        .http()
        .post(new URL(requestUrl).pathname)
        .set('content-type', 'application/json')
        .set('x-slack-request-timestamp', String(ts))
        .set('x-slack-signature', signSlackRequest(SLACK.signingSecret, ts, raw))
        .send(raw)
        .expect(200, { challenge: 'manifest-challenge' });

      const after = await t.http().get(`${connections(agentId)}/slack/manifest`).set(member.auth).expect(200);
      expect(after.body).toMatchObject({ connected: true, connectionId, requestUrl });

      // deleted and made again, the connection keeps its URL: the Slack app configured from the manifest still works
      await t.http().delete(`${connections(agentId)}/${connectionId}`).set(owner.auth).expect(204);
      const again = await t.http().post(connections(agentId)).set(owner.auth).send({ platform: 'slack', credentials: SLACK }).expect(201);
      expect(again.body).toMatchObject({ id: connectionId, webhookUrl: requestUrl });
    });

    it('another team, an unknown agent, a non-UUID and no token are refused', async () => {
      const agentId = await newAgent('Private');
      await t.http().get(`${connections(agentId)}/slack/manifest`).set(stranger.auth).expect(404);
      await t.http().get(`${connections(agentId, stranger.teamId)}/slack/manifest`).set(stranger.auth).expect(404);
      await t.http().get(`${connections('7d3c1b52-0000-4000-8000-000000000000')}/slack/manifest`).set(owner.auth).expect(404);
      await t.http().get(`${connections('not-a-uuid')}/slack/manifest`).set(owner.auth).expect(404);
      await t.http().get(`${connections(agentId)}/slack/manifest`).expect(401);
    });
  });

  describe('Telegram: setup says what was done', () => {
    it('webhook mode: setup names the URL registered with setWebhook', async () => {
      const token = newBot();
      const res = await t.http().post(connections(await newAgent('Hooked'))).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: token } }).expect(201);
      const url = `${BASE_URL}/webhooks/telegram/${res.body.id}`;
      expect(res.body.setup).toEqual({ mode: 'webhook', webhookUrl: url, note: expect.stringContaining(`Registered with Telegram (setWebhook) at ${url}`) });
      expect(tg.webhookOf(token)?.url).toBe(url);
    });

    it('polling mode given on create: no webhook is registered and setup says polling is on; PATCH back to webhook registers it', async () => {
      const token = newBot();
      const agentId = await newAgent('Laptop');
      const setWebhooks = tg.callsTo('setWebhook').length;
      const res = await t.http().post(connections(agentId)).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: token }, settings: { mode: 'polling' } }).expect(201);
      expect(res.body.setup).toEqual({ mode: 'polling', pollingEnabled: true, note: expect.stringContaining('long-polls getUpdates') });
      expect(res.body.setup.webhookUrl).toBeUndefined();
      expect(tg.callsTo('setWebhook').length).toBe(setWebhooks);
      expect(tg.webhookOf(token)).toBeUndefined();

      const back = await t.http().patch(`${connections(agentId)}/${res.body.id}`).set(owner.auth).send({ settings: { mode: 'webhook' } }).expect(200);
      expect(back.body.setup).toMatchObject({ mode: 'webhook', webhookUrl: `${BASE_URL}/webhooks/telegram/${res.body.id}` });
      expect(tg.webhookOf(token)?.url).toBe(back.body.setup.webhookUrl);
    });

    it('a paused connection: new settings are not sent to Telegram, and setup says so', async () => {
      const token = newBot();
      const agentId = await newAgent('Paused');
      const res = await t.http().post(connections(agentId)).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: token } }).expect(201);
      await t.http().patch(`${connections(agentId)}/${res.body.id}`).set(owner.auth).send({ status: 'paused' }).expect(200);
      const deletes = tg.callsTo('deleteWebhook').length;
      const changed = await t.http().patch(`${connections(agentId)}/${res.body.id}`).set(owner.auth).send({ settings: { mode: 'polling' } }).expect(200);
      expect(changed.body.setup).toMatchObject({ mode: 'polling', note: expect.stringContaining('not active') });
      expect(tg.callsTo('deleteWebhook').length).toBe(deletes);
    });

    it('Telegram refusing the webhook URL: 422 that says why and names polling mode; nothing stored', async () => {
      const token = newBot();
      const agentId = await newAgent('No HTTPS');
      tg.failNext('setWebhook', { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook' } });
      const res = await t.http().post(connections(agentId)).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: token } }).expect(422);
      expect(res.body.message).toContain('An HTTPS URL must be provided');
      expect(res.body.message).toContain('"mode": "polling"');
      expect(res.body.message).toContain(`${BASE_URL}/webhooks/telegram/`);
      await t.http().get(connections(agentId)).set(owner.auth).expect(200, { data: [], nextCursor: null });
    });

    it('polling mode on a deployment that does not poll (TELEGRAM_POLL_SCAN_MS=0): setup says nothing will arrive', async () => {
      const off = await createTestApp({ reuseDatabase: true, env: env('0') });
      try {
        const token = newBot();
        const agentId = await newAgent('Nobody polls');
        const res = await off.http().post(connections(agentId)).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: token }, settings: { mode: 'polling' } }).expect(201);
        expect(res.body.setup).toEqual({ mode: 'polling', pollingEnabled: false, note: expect.stringContaining('TELEGRAM_POLL_SCAN_MS=0') });
      } finally {
        await off.close();
      }
    });
  });
});

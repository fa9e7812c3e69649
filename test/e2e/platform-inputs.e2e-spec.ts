import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { signGitHubPayload } from '../../src/integrations/github/github-signature';
import { FakeGitHubApi, FakeSlackApi, FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { connectSlackApp, eventEnvelope, nextTs, postSigned, SlackAppFixture } from '../factories/slack';
import { connectTelegramBot, postUpdate, TelegramBotFixture, textUpdate } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const NUL = '\u0000';
const DEEP = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
const GH_TOKEN = 'ghp_switchboardplatforminputs0123456789';

type Row = { status: string; error: string | null; payload: Record<string, unknown>; received_at: Date; processed_at: Date | null };

/**
 * Signed platform deliveries with inputs that used to answer 500 (a NUL, deep nesting) or wedge a conversation for
 * minutes (an id longer than its column). A platform resends a 5xx forever: these must be stored or refused with 4xx.
 */
describe('signed platform events with hostile inputs (e2e)', () => {
  let tg: FakeTelegramApi;
  let slack: FakeSlackApi;
  let gh: FakeGitHubApi;
  let runtime: FakeWebhookReceiver;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let bot: TelegramBotFixture;
  let app: SlackAppFixture;
  let ghConnectionId: string;
  let ghSecret: string;

  const rows = async (connectionId: string): Promise<Row[]> =>
    ds.query('SELECT status, error, payload, received_at, processed_at FROM inbound_event WHERE connection_id = $1 ORDER BY seq', [connectionId]);
  const settled = (r: Row | undefined): boolean => Boolean(r && ['done', 'ignored', 'failed'].includes(r.status));
  const postGitHub = (event: string, raw: string) =>
    t
      .http()
      .post(`/webhooks/github/${ghConnectionId}`)
      .set('content-type', 'application/json')
      .set('x-github-event', event)
      .set('x-github-delivery', randomUUID())
      .set('x-hub-signature-256', signGitHubPayload(ghSecret, raw))
      .send(raw);
  const tgSent = (chatId: number): RecordedCall[] => tg.callsTo('sendMessage').filter((c) => String((c.body as { chat_id: unknown }).chat_id) === String(chatId));

  beforeAll(async () => {
    [tg, slack, gh, runtime] = await Promise.all([new FakeTelegramApi().start(), new FakeSlackApi().start(), new FakeGitHubApi().start(), new FakeWebhookReceiver().start()]);
    gh.addToken(GH_TOKEN, { login: 'acme-agent', id: 9001, type: 'User', scopes: ['repo'] });
    t = await createTestApp({
      env: {
        TELEGRAM_API_ROOT: tg.url,
        SLACK_API_URL: `${slack.url}/api/`,
        GITHUB_API_URL: gh.url,
        GITHUB_RETRY_AND_THROTTLE: 'false',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        PUBLIC_BASE_URL: 'https://sb.example.com',
        CONNECTION_HEALTH_INTERVAL_S: '0',
        INBOUND_SWEEP_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
      },
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Platform inputs');
    bot = await connectTelegramBot(t, tg, owner);
    app = await connectSlackApp(t, slack, owner);
    const agent = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'GitHub inputs' }).expect(201);
    const conn = await t.http().post(`/v1/teams/${owner.teamId}/agents/${agent.body.id}/connections`).set(owner.auth).send({ platform: 'github', credentials: { token: GH_TOKEN } }).expect(201);
    ghConnectionId = conn.body.id;
    ghSecret = conn.body.setup.webhookSecret;
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), slack.stop(), gh.stop(), runtime.stop()]);
  });

  it('a Telegram update with NUL in its text is acknowledged, stored with the NUL as U+FFFD, and answered', async () => {
    const chat = 77_001;
    await postUpdate(t, bot, textUpdate(chat, `hello${NUL}world`)).expect(200, { ok: true });
    await until(() => tgSent(chat).length === 1, 'the reply');
    expect((tgSent(chat)[0].body as { text: string }).text).toBe('hello\uFFFDworld');
    await until(async () => settled((await rows(bot.connectionId)).slice(-1)[0]), 'the event to settle');
    const [row] = (await rows(bot.connectionId)).slice(-1);
    expect({ status: row.status, text: (row.payload.message as { text: string }).text }).toEqual({ status: 'done', text: 'hello\uFFFDworld' });
  });

  it('a Slack event with NUL in its text (and in a key) is acknowledged, stored escaped, and answered', async () => {
    const channel = 'CNULTEST';
    const ts = nextTs();
    const body = JSON.stringify({ ...eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> a${NUL}b`, ts, channel }), [`x${NUL}`]: 1 });
    await postSigned(t, app, '', body).expect(200);
    await until(() => slack.callsTo('chat.postMessage').some((c) => (c.body as { channel: string }).channel === channel), 'the reply');
    const reply = slack.callsTo('chat.postMessage').find((c) => (c.body as { channel: string }).channel === channel)!;
    expect((reply.body as { text: string }).text).toBe('a\uFFFDb');
    const row = (await rows(app.connectionId)).find((r) => (r.payload.event as { ts?: string } | undefined)?.ts === ts)!;
    expect(row.payload).toHaveProperty('x\uFFFD', 1);
  });

  it('a slash command with NUL in its text is acknowledged (form body) and stored escaped', async () => {
    const raw = new URLSearchParams({ command: '/agent', text: `why${NUL}?`, user_id: 'U9', channel_id: 'CSLASHNUL', response_url: slack.responseUrl('nul'), trigger_id: `trig-${randomUUID()}` }).toString();
    const res = await postSigned(t, app, '/commands', raw, { contentType: 'application/x-www-form-urlencoded' }).expect(200);
    expect(res.body.text).toBe('Working on it…');
    await until(async () => (await rows(app.connectionId)).some((r) => r.payload.text === 'why\uFFFD?'), 'the stored command');
  });

  it('10,000 levels of nesting in a signed Telegram, Slack or GitHub delivery are a 400, never a 5xx', async () => {
    const tgRes = await t.http().post(`/webhooks/telegram/${bot.connectionId}`).set('X-Telegram-Bot-Api-Secret-Token', bot.secret).set('content-type', 'application/json').send(`{"update_id":1,"x":${DEEP}}`);
    const slackRes = await postSigned(t, app, '', `{"type":"event_callback","x":${DEEP}}`);
    const ghRes = await postGitHub('issues', `{"action":"opened","x":${DEEP}}`);
    for (const res of [tgRes, slackRes, ghRes]) {
      expect({ status: res.status, message: res.body.message, requestId: typeof res.body.requestId }).toEqual({ status: 400, message: 'body is nested too deeply (at most 64 levels)', requestId: 'string' });
    }
  });

  it('ids longer than their columns end the event at once (ignored with a reason), never retried for minutes', async () => {
    const long = 'X'.repeat(300);
    const tgUpdate = textUpdate(1, 'hi');
    (tgUpdate.message as { chat: { id: unknown } }).chat.id = `9${'1'.repeat(299)}`;
    await postUpdate(t, bot, tgUpdate).expect(200);
    await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> hi`, ts: nextTs(), channel: `C${long}` }))).expect(200);
    await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> hi`, ts: nextTs(), thread_ts: `1.${'1'.repeat(300)}`, channel: 'CLONGTHREAD' }))).expect(200);
    await postGitHub('issues', JSON.stringify({ action: 'opened', issue: { number: 1, title: 't', user: { login: 'ada', id: 1 } }, repository: { full_name: `acme/${'w'.repeat(300)}` }, sender: { login: 'ada' } })).expect(200);
    const last = async (connectionId: string): Promise<Row> => (await rows(connectionId)).slice(-1)[0];
    await until(async () => settled(await last(bot.connectionId)) && settled(await last(ghConnectionId)) && (await rows(app.connectionId)).slice(-2).every(settled), 'the events to settle', 10_000);
    const slackRows = (await rows(app.connectionId)).slice(-2);
    expect([await last(bot.connectionId), ...slackRows, await last(ghConnectionId)].map((r) => ({ status: r.status, error: r.error }))).toEqual([
      { status: 'ignored', error: 'invalid chat id' },
      { status: 'ignored', error: 'invalid channel' },
      { status: 'ignored', error: 'invalid thread_ts' },
      { status: 'ignored', error: 'invalid repository full_name' },
    ]);
  });

  it('a value PostgreSQL refuses later on (an agent reply with a NUL) fails the event at once instead of retrying it for minutes', async () => {
    runtime.respondWith(200, { reply: `half${NUL}reply` });
    const agentBot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtime.urlFor('/agent') } });
    await postUpdate(t, agentBot, textUpdate(77_002, 'hi')).expect(200);
    await until(async () => settled((await rows(agentBot.connectionId))[0]), 'the event to settle', 10_000);
    const [row] = await rows(agentBot.connectionId);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/^PostgreSQL refused a value of this event \(not retried\)/);
  });
});

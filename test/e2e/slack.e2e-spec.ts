import { DataSource } from 'typeorm';
import { FakeSlackApi } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { connectSlackApp, eventEnvelope, nextTs, postSigned, SlackAppFixture } from '../factories/slack';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { inboundSettled, until } from '../utils/wait';

type PostBody = { channel: string; text: string; thread_ts?: string; blocks?: string };
const posts = (slack: FakeSlackApi, channel: string): RecordedCall[] =>
  slack.callsTo('chat.postMessage').filter((c) => (c.body as PostBody).channel === channel);
const pb = (c: RecordedCall): PostBody => c.body as PostBody;


describe('Slack (e2e against the fake Slack Web API, requests signed as Slack signs them)', () => {
  let slack: FakeSlackApi;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let app: SlackAppFixture;
  let ch = 0;
  const channel = (): string => `C${++ch}TEST`;
  const events = async (connectionId: string): Promise<{ status: string; error: string | null }[]> =>
    ds.query('SELECT status, error FROM inbound_event WHERE connection_id = $1 ORDER BY seq', [connectionId]);

  beforeAll(async () => {
    slack = await new FakeSlackApi().start();
    t = await createTestApp({ env: { SLACK_API_URL: `${slack.url}/api/`, INBOUND_WORKING_DELAY_MS: '0', CONNECTION_HEALTH_INTERVAL_S: '0', INBOUND_SWEEP_INTERVAL_S: '0', TELEGRAM_POLL_SCAN_MS: '0', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Slack');
    app = await connectSlackApp(t, slack, owner);
  });
  afterAll(async () => {
    await t.close();
    await slack.stop();
  });

  it('echoes url_verification challenges (signed), and answers ssl_check', async () => {
    const res = await postSigned(t, app, '', JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 'x' })).expect(200);
    expect(res.body).toEqual({ challenge: 'abc123' });
  });

  it('an app_mention is answered in its thread with mrkdwn, with :eyes: while the agent works', async () => {
    const c = channel();
    const ts = nextTs();
    await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> **hello** & <world>`, ts, channel: c }))).expect(200);
    await until(() => posts(slack, c).length === 1, 'reply');
    expect(pb(posts(slack, c)[0])).toMatchObject({ channel: c, thread_ts: ts, text: '*hello* &amp; &lt;world&gt;' });
    expect(slack.callsTo('reactions.add').some((x) => (x.body as { timestamp: string }).timestamp === ts)).toBe(true);
    await until(() => slack.callsTo('reactions.remove').some((x) => (x.body as { timestamp: string }).timestamp === ts), ':eyes: removed');
  });

  it('bad signatures and stale (−301 s) or future (+301 s) timestamps are 401 and store nothing', async () => {
    const before = (await events(app.connectionId)).length;
    const body = JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> hi`, ts: nextTs(), channel: channel() }));
    await postSigned(t, app, '', body, { secret: 'f'.repeat(32) }).expect(401);
    await postSigned(t, app, '', body, { skewS: -301 }).expect(401);
    await postSigned(t, app, '', body, { skewS: 301 }).expect(401);
    await t.http().post(`/webhooks/slack/${app.connectionId}`).set('content-type', 'application/json').send(body).expect(401);
    await postSigned(t, app, '', body, { skewS: -290 }).expect(200); // within the window (control)
    expect((await events(app.connectionId)).length).toBe(before + 1);
  });

  it('the same event_id delivered 3 times (X-Slack-Retry-Num) and a message event for the same ts make one reply', async () => {
    const c = channel();
    const ts = nextTs();
    const mention = JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> once`, ts, channel: c }, 'EvSAME1'));
    await postSigned(t, app, '', mention).expect(200);
    await postSigned(t, app, '', mention, { retryNum: 1 }).expect(200);
    await postSigned(t, app, '', mention, { retryNum: 2 }).expect(200);
    await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'message', channel_type: 'channel', user: 'U1', text: `<@${app.botUserId}> once`, ts, channel: c }))).expect(200);
    await until(() => posts(slack, c).length >= 1, 'reply');
    await inboundSettled(ds, app.connectionId); // the retries and the duplicate message finished: no second post follows
    expect(posts(slack, c)).toHaveLength(1);
  });

  it('never answers itself: our own message, a message_changed wrapping it, other bots, and unmentioned channel messages', async () => {
    const c = channel();
    const before = (await events(app.connectionId)).length;
    const own = { type: 'message', channel_type: 'im', user: app.botUserId, bot_id: app.botId, text: 'my reply', ts: nextTs(), channel: c };
    await postSigned(t, app, '', JSON.stringify(eventEnvelope(own))).expect(200);
    await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'message', subtype: 'message_changed', channel_type: 'im', channel: c, ts: nextTs(), message: own }))).expect(200);
    await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'message', channel_type: 'im', user: 'UOTHERBOT', bot_id: 'BOTHER', text: 'beep', ts: nextTs(), channel: c }))).expect(200);
    await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'message', channel_type: 'channel', user: 'U1', text: 'no mention', ts: nextTs(), channel: c }))).expect(200);
    await until(async () => (await events(app.connectionId)).slice(before).every((e) => e.status === 'ignored') && (await events(app.connectionId)).length === before + 4, 'all ignored');
    expect(posts(slack, c)).toHaveLength(0);
  });

  it('a DM is answered in the DM (and in the thread when the user wrote in one)', async () => {
    const d = `D${++ch}`;
    await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'message', channel_type: 'im', user: 'U2', text: 'hi in dm', ts: nextTs(), channel: d }))).expect(200);
    await until(() => posts(slack, d).length === 1, 'dm reply');
    expect(pb(posts(slack, d)[0]).thread_ts).toBeUndefined();
    const parent = nextTs();
    await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'message', channel_type: 'im', user: 'U2', text: 'in a thread', ts: nextTs(), thread_ts: parent, channel: d }))).expect(200);
    await until(() => posts(slack, d).length === 2, 'thread reply');
    expect(pb(posts(slack, d)[1]).thread_ts).toBe(parent);
  });

  it('429 from chat.postMessage is retried after Retry-After', async () => {
    const c = channel();
    slack.failNext((call) => call.path.endsWith('/chat.postMessage') && (call.body as PostBody).channel === c, { status: 429, headers: { 'Retry-After': '1' }, body: { ok: false, error: 'ratelimited' } });
    await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> busy?`, ts: nextTs(), channel: c }))).expect(200);
    await until(async () => (await events(app.connectionId)).at(-1)?.status === 'done', 'done');
    const attempts = posts(slack, c);
    expect(attempts).toHaveLength(2);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(900);
  });

  it('not_in_channel fails that event with a clear error; invalid_auth sets the connection to error', async () => {
    const c = channel();
    slack.failNext((call) => call.path.endsWith('/chat.postMessage') && (call.body as PostBody).channel === c, { status: 200, body: { ok: false, error: 'not_in_channel' } });
    await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> hi`, ts: nextTs(), channel: c }))).expect(200);
    await until(async () => (await events(app.connectionId)).at(-1)?.status === 'failed', 'failed');
    expect((await events(app.connectionId)).at(-1)?.error).toMatch(/not_in_channel — invite the app/);

    const other = await connectSlackApp(t, slack, owner);
    const c2 = channel();
    slack.failNext((call) => call.path.endsWith('/chat.postMessage') && (call.body as PostBody).channel === c2, { status: 200, body: { ok: false, error: 'token_revoked' } });
    await postSigned(t, other, '', JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${other.botUserId}> hi`, ts: nextTs(), channel: c2 }))).expect(200);
    await until(async () => (await events(other.connectionId))[0]?.status === 'failed', 'failed');
    const h = await t.http().get(`/v1/teams/${owner.teamId}/agents/${other.agentId}/connections/${other.connectionId}/health`).set(owner.auth).expect(200);
    expect(h.body).toMatchObject({ status: 'error', errorMessage: expect.stringContaining('token_revoked') });
  });

  it('/agent slash command: ephemeral "working on it" at once, then the reply to response_url', async () => {
    const form = new URLSearchParams({
      command: '/agent',
      text: 'what is new?',
      user_id: 'U9',
      user_name: 'ada',
      channel_id: channel(),
      response_url: slack.responseUrl('cmd1'),
      trigger_id: 'trig-1',
      team_id: 'T1',
    }).toString();
    const res = await postSigned(t, app, '/commands', form, { contentType: 'application/x-www-form-urlencoded' }).expect(200);
    expect(res.body).toEqual({ response_type: 'ephemeral', text: 'Working on it…' });
    await until(() => slack.callsTo('response_url').length === 1, 'response_url post');
    expect(slack.callsTo('response_url')[0].body).toMatchObject({ response_type: 'in_channel', text: 'what is new?' });
    await postSigned(t, app, '/commands', form, { contentType: 'application/x-www-form-urlencoded', secret: 'a'.repeat(32) }).expect(401);
  });

  it('learns api_app_id from the first event', async () => {
    const res = await t.http().get(`/v1/teams/${owner.teamId}/agents/${app.agentId}/connections/${app.connectionId}`).set(owner.auth).expect(200);
    expect(res.body.platformInfo.appId).toBe('A0APP');
  });
});

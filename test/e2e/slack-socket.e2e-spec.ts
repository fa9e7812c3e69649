import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { FakeSlackApi } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { connectSlackApp, eventEnvelope, nextTs, SlackAppFixture } from '../factories/slack';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

type PostBody = { channel: string; text: string; thread_ts?: string };
const posts = (slack: FakeSlackApi, channel: string): RecordedCall[] =>
  slack.callsTo('chat.postMessage').filter((c) => (c.body as PostBody).channel === channel);

/** Slack Socket Mode: the app (ROLE=all) holds a WebSocket to the fake Slack for each Socket Mode connection. */
describe('Slack Socket Mode (e2e against the fake Slack: apps.connections.open and a loopback WebSocket)', () => {
  let slack: FakeSlackApi;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let app: SlackAppFixture;
  let ch = 0;
  const channel = (): string => `C${++ch}SOCK`;
  const token = (): string => app.appToken as string;
  const base = (a: SlackAppFixture): string => `/v1/teams/${owner.teamId}/agents/${a.agentId}/connections/${a.connectionId}`;
  const health = async (a: SlackAppFixture): Promise<{ status: string; socket?: { connected: boolean; since: string | null; lastError: string | null } }> =>
    (await t.http().get(`${base(a)}/health`).set(owner.auth).expect(200)).body;
  const mention = (c: string, ts: string, eventId?: string): Record<string, unknown> =>
    eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> hello over the socket`, ts, channel: c }, eventId);
  const connectedSocket = async (a: SlackAppFixture): Promise<void> => {
    await until(() => slack.openSockets(a.appToken as string).length === 1, 'an open socket');
    await until(async () => (await health(a)).socket?.connected === true, 'health: connected');
  };

  beforeAll(async () => {
    slack = await new FakeSlackApi().start();
    t = await createTestApp({
      env: {
        SLACK_API_URL: `${slack.url}/api/`,
        SLACK_SOCKET_SCAN_MS: '200',
        CONNECTION_HEALTH_INTERVAL_S: '0',
        INBOUND_SWEEP_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      },
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Socket');
    app = await connectSlackApp(t, slack, owner, { socket: true });
  });
  afterAll(async () => {
    await t.close();
    await slack.stop();
  });

  it('the connection needs an app-level token Slack accepts; its manifest turns Socket Mode on and names no URL', async () => {
    const agent = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'Socket setup' }).expect(201);
    const path = `/v1/teams/${owner.teamId}/agents/${agent.body.id}/connections`;
    const botToken = `xoxb-9000-${randomBytes(8).toString('hex')}`;
    slack.addWorkspace({ token: botToken, teamId: 'T9', team: 'Acme', botUserId: 'UBOT9', botId: 'BBOT9', userName: 'agent' });
    const signingSecret = randomBytes(16).toString('hex');
    const create = (credentials: Record<string, string>) => t.http().post(path).set(owner.auth).send({ platform: 'slack', credentials: { botToken, signingSecret, ...credentials }, settings: { mode: 'socket' } });

    const missing = await create({}).expect(400);
    expect(missing.body.details).toEqual([expect.objectContaining({ field: 'credentials.appToken' })]);
    const refused = await create({ appToken: 'xapp-1-A0APP-1-unknowntoken' }).expect(422);
    expect(refused.body.message).toMatch(/invalid_auth/);
    await t.http().post(path).set(owner.auth).send({ platform: 'slack', credentials: { botToken, signingSecret }, settings: { mode: 'websocket' } }).expect(400);

    const manifest = await t.http().get(`${path}/slack/manifest?mode=socket`).set(owner.auth).expect(200);
    expect(manifest.body.mode).toBe('socket');
    expect(manifest.body.manifest.settings).toMatchObject({ socket_mode_enabled: true, event_subscriptions: { bot_events: ['app_mention', 'message.im'] } });
    expect(JSON.stringify(manifest.body.manifest)).not.toMatch(/https?:\/\//);

    const appToken = `xapp-1-A0APP-9-${randomBytes(8).toString('hex')}`;
    slack.addAppToken(appToken);
    const created = await create({ appToken }).expect(201);
    expect(created.body.settings).toEqual({ mode: 'socket' });
    expect(created.body.setup.manifest.settings).toMatchObject({ socket_mode_enabled: true });
    expect(created.body.setup.manifest.settings.event_subscriptions.request_url).toBeUndefined();
    expect(created.body.setup.manifest.features.slash_commands[0].url).toBeUndefined();
    expect(JSON.stringify(created.body)).not.toContain(appToken);
    // the HTTP mode keeps its URLs
    const http = await t.http().get(`${path}/slack/manifest`).set(owner.auth).expect(200);
    expect(http.body.manifest.settings).toMatchObject({ socket_mode_enabled: false, event_subscriptions: { request_url: http.body.requestUrl } });
  });

  it('an app_mention over the socket is acknowledged, stored once and answered with chat.postMessage; health shows the socket connected', async () => {
    await connectedSocket(app);
    const c = channel();
    const ts = nextTs();
    const id = slack.sendEnvelope(token(), { type: 'events_api', payload: mention(c, ts), retry_attempt: 0, retry_reason: '' });
    await until(() => slack.ackOf(id) !== undefined, 'the ack');
    expect(slack.ackOf(id)?.payload ?? {}).toEqual({}); // an events_api ack carries nothing back
    await until(() => posts(slack, c).length === 1, 'the reply');
    expect(posts(slack, c)[0].body).toMatchObject({ channel: c, thread_ts: ts, text: 'hello over the socket' });
    const h = await health(app);
    expect(h.socket).toEqual({ connected: true, since: expect.any(String), lastError: null });
    expect(slack.maxOpenSockets.get(token())).toBe(1);
  });

  it('the same event delivered twice (a retry, and a new socket envelope) is stored and answered once; both are acknowledged', async () => {
    const c = channel();
    const ts = nextTs();
    const a = slack.sendEnvelope(token(), { type: 'events_api', payload: mention(c, ts, 'EvSOCKSAME'), retry_attempt: 0, retry_reason: '' });
    const b = slack.sendEnvelope(token(), { type: 'events_api', payload: mention(c, ts, 'EvSOCKSAME'), retry_attempt: 1, retry_reason: 'timeout' });
    await until(() => Boolean(slack.ackOf(a) && slack.ackOf(b)), 'both acks');
    await until(() => posts(slack, c).length === 1, 'the reply');
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM inbound_event WHERE connection_id = $1 AND dedupe_key = $2`, [app.connectionId, `msg:${c}:${ts}`]);
    expect(n).toBe(1);
    // a later event of the same conversation is answered after it: nothing is left waiting behind the duplicate
    const later = slack.sendEnvelope(token(), { type: 'events_api', payload: eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> again`, ts: nextTs(), thread_ts: ts, channel: c }) });
    await until(() => slack.ackOf(later) !== undefined && posts(slack, c).length === 2, 'the second reply');
    expect(posts(slack, c)).toHaveLength(2);
  });

  it('a slash command is acknowledged with the ephemeral answer and replied to through response_url; an interactive payload is acknowledged', async () => {
    const c = channel();
    const cmd = slack.sendEnvelope(token(), {
      type: 'slash_commands',
      payload: { command: '/agent', text: 'status please', user_id: 'U7', user_name: 'ada', channel_id: c, response_url: slack.responseUrl('sock-cmd'), trigger_id: 'trig-sock-1', team_id: 'T1' },
    });
    await until(() => slack.ackOf(cmd) !== undefined, 'the slash command ack');
    expect(slack.ackOf(cmd)?.payload).toEqual({ response_type: 'ephemeral', text: 'Working on it…' });
    await until(() => slack.callsTo('response_url').some((x) => x.path.endsWith('/sock-cmd')), 'the response_url post');
    expect(slack.callsTo('response_url').find((x) => x.path.endsWith('/sock-cmd'))?.body).toMatchObject({ response_type: 'in_channel', text: 'status please' });

    const click = slack.sendEnvelope(token(), {
      type: 'interactive',
      payload: { type: 'block_actions', trigger_id: 'trig-sock-2', user: { id: 'U7' }, channel: { id: c }, message: { ts: nextTs() }, actions: [{ action_id: 'x', value: 'y' }] },
    });
    await until(() => slack.ackOf(click) !== undefined, 'the interactive ack');
    const [row] = await ds.query(`SELECT status FROM inbound_event WHERE connection_id = $1 AND dedupe_key = 'act:trig-sock-2'`, [app.connectionId]);
    expect(row).toBeDefined();
  });

  it('a dropped socket and a Slack `disconnect` message both end in a new socket, and events flow again', async () => {
    await connectedSocket(app);
    const opened = slack.sockets.filter((s) => s.appToken === token()).length;
    slack.dropSockets(token());
    await until(async () => slack.sockets.filter((s) => s.appToken === token()).length === opened + 1 && slack.openSockets(token()).length === 1, 'a reconnect after the drop');
    slack.disconnectSockets(token(), 'refresh_requested');
    await until(async () => slack.sockets.filter((s) => s.appToken === token()).length === opened + 2 && slack.openSockets(token()).length === 1, 'a reconnect after disconnect');
    await until(async () => (await health(app)).socket?.connected === true, 'health: connected again');

    const c = channel();
    const id = slack.sendEnvelope(token(), { type: 'events_api', payload: mention(c, nextTs()) });
    await until(() => slack.ackOf(id) !== undefined && posts(slack, c).length === 1, 'a reply over the new socket');
    expect(slack.maxOpenSockets.get(token())).toBe(1);
  });

  it('reconnects back off while apps.connections.open fails, and recover; health tells the last error meanwhile', async () => {
    await connectedSocket(app);
    slack.failNext('apps.connections.open', { status: 503, body: 'unavailable' }, 3);
    const before = slack.callsTo('apps.connections.open').length;
    slack.dropSockets(token());
    await until(async () => (await health(app)).socket?.lastError?.includes('could not connect') === true, 'the error in health');
    expect((await health(app)).socket?.connected).toBe(false);
    await connectedSocket(app);
    const attempts = slack.callsTo('apps.connections.open').slice(before);
    expect(attempts).toHaveLength(4);
    // 1 s, 2 s, 4 s (±20 %) between the failed attempts: growing gaps
    const gaps = attempts.slice(1).map((c, i) => c.at - attempts[i].at);
    expect(gaps[1]).toBeGreaterThan(gaps[0] * 1.2);
    expect(gaps[2]).toBeGreaterThan(gaps[1] * 1.2);
    expect((await health(app)).socket?.lastError).toBeNull();
  }, 30_000);

  it('pausing closes the socket and resuming opens it again; a refused app token puts the connection in error', async () => {
    const other = await connectSlackApp(t, slack, owner, { socket: true });
    await connectedSocket(other);
    await t.http().patch(base(other)).set(owner.auth).send({ status: 'paused' }).expect(200);
    await until(() => slack.openSockets(other.appToken as string).length === 0, 'the socket closed');
    await until(async () => (await health(other)).socket?.connected === false, 'health: not connected');
    await t.http().patch(base(other)).set(owner.auth).send({ status: 'active' }).expect(200);
    await connectedSocket(other);

    slack.failNext('apps.connections.open', { status: 200, body: { ok: false, error: 'invalid_auth' } });
    slack.dropSockets(other.appToken as string);
    await until(async () => (await health(other)).status === 'error', 'the connection in error');
    const h = await health(other);
    expect(h.socket).toMatchObject({ connected: false, lastError: expect.stringContaining('invalid_auth') });
    expect(slack.openSockets(other.appToken as string)).toHaveLength(0);
  });

  it('an HTTP-mode connection has no socket and no socket in its health', async () => {
    const plain = await connectSlackApp(t, slack, owner);
    expect((await health(plain)).socket).toBeUndefined();
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM slack_socket WHERE connection_id = $1`, [plain.connectionId]);
    expect(n).toBe(0);
  });
});

import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { OUTBOUND_HTTP_OPTIONS, OutboundHttpOptions } from '../../src/http/outbound-http-client';
import { defaultLookup } from '../../src/http/ssrf/address-policy';
import { UNAVAILABLE_REPLY } from '../../src/conversations/agent-turn.service';
import { FakeSlackApi } from '../fakes';
import { connectSlackApp, eventEnvelope, nextTs, postSigned, SlackAppFixture } from '../factories/slack';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

/** An internal service an attacker would like to reach: answers like a model API, with something secret. */
interface PrivateService {
  port: number;
  connections: number;
  close(): Promise<void>;
}
const SECRET_BODY = JSON.stringify({ choices: [{ message: { content: 'INTERNAL-SECRET-42' } }], reply: 'INTERNAL-SECRET-42' });

async function startPrivateService(): Promise<PrivateService> {
  const server: Server = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(SECRET_BODY));
  const state = { port: 0, connections: 0, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
  server.on('connection', () => state.connections++);
  // '::' takes both [::1] and 127.0.0.1 (IPv4-mapped) on one port
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  state.port = (server.address() as AddressInfo).port;
  return state;
}

async function closedPort(): Promise<number> {
  const s = await startPrivateService();
  await s.close();
  return s.port;
}

describe('SSRF: team-supplied URLs with WEBHOOK_ALLOW_PRIVATE_NETWORKS=false (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let slack: FakeSlackApi;
  let owner: Actor & { teamId: string };
  let svc: PrivateService;
  let closed: number;
  /** The app's DNS: names set here answer as given; others use the system resolver. */
  const dns = new Map<string, string[]>();
  const agents = () => `/v1/teams/${owner.teamId}/agents`;

  beforeAll(async () => {
    [svc, closed, slack] = await Promise.all([startPrivateService(), closedPort(), new FakeSlackApi().start()]);
    const options: OutboundHttpOptions = { allowPrivateNetworks: false, lookup: async (host) => dns.get(host) ?? defaultLookup(host) };
    t = await createTestApp({
      env: {
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false',
        AGENT_RETRY_DELAYS_MS: '10,10',
        AGENT_TIMEOUT_MS: '3000',
        SLACK_API_URL: `${slack.url}/api/`, // our platform API (configuration): not a team-supplied URL
        CONNECTION_HEALTH_INTERVAL_S: '0',
        INBOUND_SWEEP_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
        WEBHOOK_SWEEP_INTERVAL_S: '0',
      },
      override: (b) => b.overrideProvider(OUTBOUND_HTTP_OPTIONS).useValue(options),
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Acme');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([svc.close(), slack.stop()]);
  });
  // nothing ever reaches the private service
  let connectionsBefore = 0;
  beforeEach(() => (connectionsBefore = svc.connections));
  afterEach(() => expect(svc.connections - connectionsBefore).toBe(0));

  const openai = (baseUrl: string) => ({ type: 'openai', baseUrl, model: 'm', apiKey: 'sk-never-sent-123456' });
  const forms = (): [string, Record<string, unknown>, string, string][] => [
    ['IPv6 loopback', openai(`http://[::1]:${svc.port}/v1`), 'runtime.baseUrl', 'loopback'],
    ['IPv4 loopback', openai(`http://127.0.0.1:${svc.port}`), 'runtime.baseUrl', 'loopback'],
    ['localhost (real DNS)', openai(`http://localhost:${svc.port}/v1`), 'runtime.baseUrl', 'loopback'],
    ['6to4 embedding 127.0.0.1', openai(`http://[2002:7f00:1::]:${svc.port}/v1`), 'runtime.baseUrl', '6to4'],
    ['Teredo', openai('http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/v1'), 'runtime.baseUrl', 'Teredo'],
    ['local-use NAT64', openai('http://[64:ff9b:1::7f00:1]/v1'), 'runtime.baseUrl', 'local-use NAT64'],
    ['6to4 relay anycast', openai('https://192.88.99.1/v1'), 'runtime.baseUrl', '6to4 relay anycast'],
    ['userinfo', openai('https://user:p4ssw0rd@api.example.test/v1'), 'runtime.baseUrl', 'credentials'],
    ['http runtime on loopback', { type: 'http', url: `http://[::1]:${svc.port}/agent` }, 'runtime.url', 'loopback'],
    ['http runtime with userinfo', { type: 'http', url: 'https://a:p4ssw0rd@agents.example.test/reply' }, 'runtime.url', 'credentials'],
  ];

  it('refuses every private, reserved or userinfo runtime URL at create and at PATCH with 400 naming the field', async () => {
    dns.set('api.example.test', ['93.184.215.14']).set('agents.example.test', ['93.184.215.14']);
    const existing = await t.http().post(agents()).set(owner.auth).send({ name: 'Existing' }).expect(201);
    for (const [what, runtime, field, reason] of forms()) {
      const created = await t.http().post(agents()).set(owner.auth).send({ name: `X ${what}`, runtime });
      const patched = await t.http().patch(`${agents()}/${existing.body.id}`).set(owner.auth).send({ runtime });
      for (const res of [created, patched]) {
        expect({ what, status: res.status }).toEqual({ what, status: 400 });
        expect(res.body.message).toContain(field);
        expect(res.body.details).toEqual([{ field, messages: [expect.stringContaining(reason)] }]);
        expect(JSON.stringify(res.body)).not.toContain('p4ssw0rd');
      }
    }
    const list = await t.http().get(agents()).set(owner.auth).expect(200);
    expect(list.body.data.map((a: { name: string }) => a.name)).toEqual(['Existing']);
    expect((await t.http().get(`${agents()}/${existing.body.id}`).set(owner.auth).expect(200)).body.runtime).toEqual({ type: 'echo' });
    // control: a name resolving to a public address is accepted
    await t.http().post(agents()).set(owner.auth).send({ name: 'Public', runtime: openai('https://api.example.test/v1') }).expect(201);
  });

  /** An agent whose stored runtime URL points somewhere private (a row from before the check, or a name that moved). */
  const agentCalling = async (name: string, runtime: Record<string, unknown>, storedUrl?: string): Promise<string> => {
    const res = await t.http().post(agents()).set(owner.auth).send({ name, runtime }).expect(201);
    if (storedUrl) {
      const key = runtime.type === 'openai' ? 'baseUrl' : 'url';
      await ds.query(`UPDATE agent SET runtime = jsonb_set(runtime, $2::text[], to_jsonb($3::text)) WHERE id = $1`, [res.body.id, [key], storedUrl]);
    }
    return res.body.id as string;
  };
  const chat = async (agentId: string) => {
    const res = await t.http().post(`${agents()}/${agentId}/chat`).set(owner.auth).send({ text: 'hello' }).expect(200);
    return { reply: res.body.reply, error: res.body.error, errorCode: res.body.errorCode };
  };
  const expectSafe = (answer: { reply: string; error: string }, ...ports: number[]): void => {
    expect(answer.reply).toBe(UNAVAILABLE_REPLY);
    const text = JSON.stringify(answer);
    expect(text).not.toContain('INTERNAL-SECRET');
    for (const p of ports) expect(text).not.toContain(String(p));
    expect(text).not.toMatch(/::1|127\.0\.0\.1|ECONNREFUSED|refused/);
  };

  it.each([
    ['openai, [::1]', (port: number) => `http://[::1]:${port}/v1`, 'openai', 'the model API was not called'],
    ['openai, 127.0.0.1', (port: number) => `http://127.0.0.1:${port}/v1`, 'openai', 'the model API was not called'],
    ['http, [::1]', (port: number) => `http://[::1]:${port}/agent`, 'http', 'the agent URL was not called'],
  ])('send time (%s): SSRF_BLOCKED, and the answer is the same whether the private port is open or closed', async (_what, urlFor, type, says) => {
    const runtime = type === 'openai' ? openai('https://93.184.215.14/v1') : { type: 'http', url: 'https://93.184.215.14/agent' };
    const toOpen = await agentCalling(`open ${type} ${_what}`, runtime, urlFor(svc.port));
    const toClosed = await agentCalling(`closed ${type} ${_what}`, runtime, urlFor(closed));
    const [open, shut] = [await chat(toOpen), await chat(toClosed)];
    expect(open).toEqual(shut);
    expect(open).toEqual({ reply: UNAVAILABLE_REPLY, errorCode: 'SSRF_BLOCKED', error: expect.stringContaining(says) });
    expect(open.error).toContain('(SSRF_BLOCKED)');
    expectSafe(open, svc.port, closed);
  });

  it('send time: a name that resolved publicly at create and now resolves to loopback (rebinding) is blocked at connect', async () => {
    dns.set('model-open.example.test', ['93.184.215.14']).set('model-closed.example.test', ['93.184.215.14']);
    const toOpen = await agentCalling('rebind open', openai(`http://model-open.example.test:${svc.port}/v1`));
    const toClosed = await agentCalling('rebind closed', openai(`http://model-closed.example.test:${closed}/v1`));
    dns.set('model-open.example.test', ['127.0.0.1']).set('model-closed.example.test', ['::1']);
    const [open, shut] = [await chat(toOpen), await chat(toClosed)];
    expect(open).toEqual(shut);
    expect(open.errorCode).toBe('SSRF_BLOCKED');
    expectSafe(open, svc.port, closed);
  });

  describe('Slack', () => {
    let app: SlackAppFixture;
    const events = async (): Promise<{ status: string; error: string | null }[]> =>
      ds.query('SELECT status, error FROM inbound_event WHERE connection_id = $1 ORDER BY seq', [app.connectionId]);

    beforeAll(async () => {
      app = await connectSlackApp(t, slack, owner);
    });

    it('a runtime blocked at send time stores a generic error on the event and posts the apology', async () => {
      await ds.query(`UPDATE agent SET runtime = $2::jsonb WHERE id = $1`, [app.agentId, JSON.stringify({ type: 'openai', baseUrl: `http://[::1]:${svc.port}/v1`, model: 'm' })]);
      const channel = 'CSSRF1';
      await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> hi`, ts: nextTs(), channel }))).expect(200);
      await until(async () => (await events()).at(-1)?.status === 'failed', 'event failed');
      const { error } = (await events()).at(-1) as { error: string };
      expect(error).toMatch(/^agent runtime failed: the model API was not called: .*\(SSRF_BLOCKED\)$/);
      expect(error).not.toContain(String(svc.port));
      await until(() => slack.callsTo('chat.postMessage').some((c) => (c.body as { channel: string }).channel === channel), 'apology');
      await ds.query(`UPDATE agent SET runtime = '{"type":"echo"}'::jsonb WHERE id = $1`, [app.agentId]);
    });

    it('a slash command whose response_url is private is not called: the event fails with SSRF_BLOCKED', async () => {
      const form = new URLSearchParams({
        command: '/agent',
        text: 'hi',
        user_id: 'U9',
        user_name: 'ada',
        channel_id: 'CSSRF2',
        response_url: `http://127.0.0.1:${svc.port}/commands/1234/abcd`,
        trigger_id: 'trig-ssrf',
        team_id: 'T1',
      }).toString();
      const res = await postSigned(t, app, '/commands', form, { contentType: 'application/x-www-form-urlencoded' }).expect(200);
      expect(res.body).toEqual({ response_type: 'ephemeral', text: 'Working on it…' });
      await until(async () => (await events()).at(-1)?.status === 'failed', 'event failed');
      expect((await events()).at(-1)?.error).toBe('Slack response_url was not called: it resolves to a private or reserved address (SSRF_BLOCKED)');
    });
  });

  describe('webhook endpoints', () => {
    const hooks = () => `/v1/teams/${owner.teamId}/webhooks`;

    it.each([
      ['6to4', 'https://[2002:7f00:1::]/hook', '6to4'],
      ['Teredo', 'https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook', 'Teredo'],
      ['local-use NAT64', 'https://[64:ff9b:1::a00:1]/hook', 'local-use NAT64'],
      ['6to4 relay anycast', 'https://192.88.99.7/hook', '6to4 relay anycast'],
      ['userinfo', 'https://user:p4ssw0rd@93.184.215.14/hook', 'credentials'],
      ['empty userinfo', 'https://@93.184.215.14/hook', 'credentials'],
    ])('refuses %s on create and on PATCH (400 naming url)', async (_what, url, reason) => {
      const created = await t.http().post(hooks()).set(owner.auth).send({ url, eventTypes: ['webhook.test'] }).expect(400);
      const ok = await t.http().post(hooks()).set(owner.auth).send({ url: 'https://93.184.215.14/hook', eventTypes: ['webhook.test'] }).expect(201);
      const patched = await t.http().patch(`${hooks()}/${ok.body.id}`).set(owner.auth).send({ url }).expect(400);
      for (const res of [created, patched]) {
        expect(res.body.details).toEqual([{ field: 'url', messages: [expect.stringContaining(reason)] }]);
        expect(JSON.stringify(res.body)).not.toContain('p4ssw0rd');
      }
      expect((await t.http().get(`${hooks()}/${ok.body.id}`).set(owner.auth).expect(200)).body.url).toBe('https://93.184.215.14/hook');
      await t.http().delete(`${hooks()}/${ok.body.id}`).set(owner.auth).expect(204);
    });
  });
});

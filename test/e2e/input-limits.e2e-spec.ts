import { FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { connectTelegramBot } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';

const NUL = '\u0000';
/** `depth` nested objects: {"a":{"a":…{}…}} built as text (JSON.stringify itself overflows at 10,000 levels). */
const deepJson = (depth: number, key = 'a'): string => `${`{"${key}":`.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

describe('admin API input limits (e2e): NUL characters, nesting depth, body-parser errors', () => {
  let tg: FakeTelegramApi;
  let rx: FakeWebhookReceiver;
  let t: TestApp;
  let owner: Actor & { teamId: string };
  let agentId: string;
  let endpointId: string;
  let connectionId: string;

  beforeAll(async () => {
    [tg, rx] = await Promise.all([new FakeTelegramApi().start(), new FakeWebhookReceiver().start()]);
    t = await createTestApp({
      env: {
        TELEGRAM_API_ROOT: tg.url,
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        PUBLIC_BASE_URL: 'https://sb.example.com',
        CONNECTION_HEALTH_INTERVAL_S: '0',
        INBOUND_SWEEP_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
        WEBHOOK_SWEEP_INTERVAL_S: '0',
      },
    });
    owner = await ownerWithTeam(t, 'Inputs');
    const bot = await connectTelegramBot(t, tg, owner, { agentName: 'Inputs agent' });
    agentId = bot.agentId;
    connectionId = bot.connectionId;
    endpointId = (await t.http().post(`/v1/teams/${owner.teamId}/webhooks`).set(owner.auth).send({ url: rx.urlFor('/inputs') }).expect(201)).body.id;
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), rx.stop()]);
  });

  // Every free-text string field of the admin API (each answered 500 before: PostgreSQL refuses NUL in text).
  const cases: { what: string; method: 'post' | 'patch'; path: () => string; body: () => Record<string, unknown>; field: string }[] = [
    { what: 'team name (create)', method: 'post', path: () => '/v1/teams', body: () => ({ name: `a${NUL}b` }), field: 'name' },
    { what: 'team name (rename)', method: 'patch', path: () => `/v1/teams/${owner.teamId}`, body: () => ({ name: `a${NUL}b` }), field: 'name' },
    {
      what: 'member name',
      method: 'post',
      path: () => `/v1/teams/${owner.teamId}/members`,
      body: () => ({ email: `nul-${Date.now()}@example.com`, role: 'member', password: 'member-password-1', name: `Ada${NUL}` }),
      field: 'name',
    },
    { what: 'agent name (create)', method: 'post', path: () => `/v1/teams/${owner.teamId}/agents`, body: () => ({ name: `x${NUL}` }), field: 'name' },
    { what: 'agent description (create)', method: 'post', path: () => `/v1/teams/${owner.teamId}/agents`, body: () => ({ name: 'ok', description: `d${NUL}` }), field: 'description' },
    { what: 'agent name (update)', method: 'patch', path: () => `/v1/teams/${owner.teamId}/agents/${agentId}`, body: () => ({ name: `x${NUL}` }), field: 'name' },
    { what: 'agent description (update)', method: 'patch', path: () => `/v1/teams/${owner.teamId}/agents/${agentId}`, body: () => ({ description: `${NUL}` }), field: 'description' },
    {
      what: 'agent system prompt',
      method: 'patch',
      path: () => `/v1/teams/${owner.teamId}/agents/${agentId}`,
      body: () => ({ runtime: { type: 'openai', baseUrl: 'https://llm.example.com/v1', model: 'm', apiKey: 'sk-test', systemPrompt: `be${NUL}nice` } }),
      field: 'runtime.systemPrompt',
    },
    { what: 'webhook url (create)', method: 'post', path: () => `/v1/teams/${owner.teamId}/webhooks`, body: () => ({ url: `${rx.urlFor('/a')}${NUL}` }), field: 'url' },
    { what: 'webhook description (create)', method: 'post', path: () => `/v1/teams/${owner.teamId}/webhooks`, body: () => ({ url: rx.urlFor('/b'), description: `${NUL}` }), field: 'description' },
    { what: 'webhook url (update)', method: 'patch', path: () => `/v1/teams/${owner.teamId}/webhooks/${endpointId}`, body: () => ({ url: `${rx.urlFor('/c')}?q=${NUL}` }), field: 'url' },
    { what: 'webhook description (update)', method: 'patch', path: () => `/v1/teams/${owner.teamId}/webhooks/${endpointId}`, body: () => ({ description: `n${NUL}` }), field: 'description' },
    { what: 'chat text', method: 'post', path: () => `/v1/teams/${owner.teamId}/agents/${agentId}/chat`, body: () => ({ text: `hello${NUL}` }), field: 'text' },
    {
      what: 'connection settings',
      method: 'patch',
      path: () => `/v1/teams/${owner.teamId}/agents/${agentId}/connections/${connectionId}`,
      body: () => ({ settings: { greeting: `hi${NUL}` } }),
      field: 'settings.greeting',
    },
    {
      what: 'a key of connection settings',
      method: 'patch',
      path: () => `/v1/teams/${owner.teamId}/agents/${agentId}/connections/${connectionId}`,
      body: () => ({ settings: { [`gre${NUL}eting`]: 'hi' } }),
      field: 'settings.gre\\0eting',
    },
  ];

  it.each(cases)('NUL in $what → 400 naming $field (one global rule)', async ({ method, path, body, field }) => {
    const res = await t.http()[method](path()).set(owner.auth).send(body());
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: `${field} must not contain NUL characters` });
    expect(res.body).toMatchObject({ error: 'Bad Request', details: [{ field, messages: [`${field} must not contain NUL characters`] }], requestId: expect.any(String) });
  });

  it('NUL in a query string is a 400 naming the parameter', async () => {
    const q = await t.http().get(`/v1/teams/${owner.teamId}/agents`).query({ cursor: `x${NUL}` }).set(owner.auth);
    expect({ status: q.status, message: q.body.message }).toEqual({ status: 400, message: 'cursor must not contain NUL characters' });
  });

  it('a pagination cursor whose id is not a UUID (or holds a NUL) is a 400, not a 500', async () => {
    const forged = Buffer.from(JSON.stringify({ t: new Date().toISOString(), id: `not-a-uuid${NUL}` })).toString('base64url');
    const c = await t.http().get(`/v1/teams/${owner.teamId}/agents`).query({ cursor: forged }).set(owner.auth);
    expect({ status: c.status, message: c.body.message }).toEqual({ status: 400, message: 'cursor is not valid' });
  });

  it('NUL in a path parameter is a 4xx, never a 500', async () => {
    const res = await t.http().get(`/v1/teams/${owner.teamId}/connections/${connectionId}/github/repos/ac%00me/w/issues`).set(owner.auth);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('the URL path must not contain NUL characters');
  });

  it('JSON nested deeper than 64 levels is a 400 naming the body and the limit, before validation (10,000 levels overflowed the stack)', async () => {
    const deep = `{"name":"deep","runtime":${deepJson(10_000)}}`;
    const res = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).set('content-type', 'application/json').send(deep);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        error: 'Bad Request',
        code: 'VALIDATION_FAILED',
        message: 'body is nested too deeply (at most 64 levels)',
        details: [{ field: 'body', messages: ['body is nested too deeply (at most 64 levels)'] }],
        requestId: expect.any(String),
      },
    });
    // the limit itself is accepted: 64 levels including the top-level object
    const ok = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).set('content-type', 'application/json').send(`{"name":"deep ok","runtime":${deepJson(63, 'type')}}`);
    expect(ok.status).toBe(400);
    expect(ok.body.message).not.toContain('nested');
    const tooDeep = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).set('content-type', 'application/json').send(`{"name":"deep ok","runtime":${deepJson(64, 'type')}}`);
    expect(tooDeep.body.message).toBe('body is nested too deeply (at most 64 levels)');
    const arrays = await t.http().post('/v1/auth/login').set('content-type', 'application/json').send(`{"email":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    expect({ status: arrays.status, message: arrays.body.message }).toEqual({ status: 400, message: 'body is nested too deeply (at most 64 levels)' });
  });

  it('a 1.1 MB admin body is 413 naming the 1 MB limit, with a request id', async () => {
    const res = await t
      .http()
      .post(`/v1/teams/${owner.teamId}/agents`)
      .set(owner.auth)
      .set('x-request-id', 'big-1')
      .send({ name: 'big', description: 'x'.repeat(1_100_000) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large (limit 1 MB)', requestId: 'big-1' });
    expect(res.headers['x-request-id']).toBe('big-1');
  });

  it('every body-parser error carries the request id (response header = body), with a clear status', async () => {
    const send = (headers: Record<string, string>, body: string | Buffer, id: string) => {
      const req = t.http().post('/v1/auth/login').set('x-request-id', id);
      for (const [k, v] of Object.entries(headers)) req.set(k, v);
      return req.send(body);
    };
    const cases: { name: string; headers: Record<string, string>; body: string | Buffer; status: number; message: string }[] = [
      { name: 'bad JSON', headers: { 'content-type': 'application/json' }, body: '{"email": ', status: 400, message: 'Request body is not valid JSON' },
      { name: 'latin2 charset', headers: { 'content-type': 'application/json; charset=latin2' }, body: '{}', status: 415, message: 'unsupported charset "LATIN2"; send UTF-8' },
      { name: 'unknown charset', headers: { 'content-type': 'application/json; charset=klingon' }, body: '{}', status: 415, message: 'unsupported charset "KLINGON"; send UTF-8' },
      { name: 'brotli', headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, body: Buffer.from([1, 2, 3]), status: 415, message: 'Content-Encoding "br" is not supported; send the body uncompressed' },
      { name: 'a form', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40b.com', status: 415, message: 'Content-Type "application/x-www-form-urlencoded" is not accepted here; send application/json' },
      { name: 'garbage encoding', headers: { 'content-type': 'application/json', 'content-encoding': 'garbage' }, body: '{}', status: 415, message: 'Content-Encoding "garbage" is not supported; send the body uncompressed' },
    ];
    for (const c of cases) {
      const id = `bp-${c.name.replace(/\W/g, '-')}`;
      const res = await send(c.headers, c.body, id);
      expect({ name: c.name, status: res.status, body: res.body, header: res.headers['x-request-id'] }).toEqual({
        name: c.name,
        status: c.status,
        body: { statusCode: c.status, error: expect.any(String), code: c.status === 400 ? 'VALIDATION_FAILED' : 'UNSUPPORTED_MEDIA_TYPE', message: c.message, requestId: id },
        header: id,
      });
    }
    // without a client id, a generated one is used for both
    const gen = await send({ 'content-type': 'application/json' }, '{', '');
    expect(gen.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(gen.headers['x-request-id']).toBe(gen.body.requestId);
  });
});

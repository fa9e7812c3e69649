import { request } from 'undici';
import {
  FakeGitHubApi,
  FakeOpenAiApi,
  FakeSlackApi,
  FakeTelegramApi,
  FakeWebhookReceiver,
  validateTelegramHtml,
} from './index';

type Body = Record<string, unknown>;

async function call(
  url: string,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Body }> {
  const res = await request(url, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), ...init });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Body };
}

const jsonPost = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('FakeTelegramApi', () => {
  const tg = new FakeTelegramApi();
  const token = '123456:ABC-def';
  const api = (method: string, t = token): string => `${tg.url}/bot${t}/${method}`;

  beforeAll(async () => {
    await tg.start();
    tg.addBot(token, { id: 123456, username: 'fake_bot', first_name: 'Fake' });
  });
  afterAll(() => tg.stop());

  it('answers getMe for a known token and 401 for an unknown one', async () => {
    const me = await call(api('getMe'));
    expect(me).toMatchObject({ status: 200, body: { ok: true, result: { id: 123456, is_bot: true } } });
    const bad = await call(api('getMe', '999:nope'));
    expect(bad).toMatchObject({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
  });

  it('validates HTML like Telegram and returns the plain text', async () => {
    const bad = await call(api('sendMessage'), jsonPost({ chat_id: 42, text: '<b>bold <i>x</b></i>', parse_mode: 'HTML' }));
    expect(bad.status).toBe(400);
    expect(bad.body.description).toMatch(/^Bad Request: can't parse entities: Unmatched end tag at byte offset 12/);

    const good = await call(
      api('sendMessage'),
      jsonPost({ chat_id: 42, text: '<b>1 &lt; 2</b> &amp; <a href="https://x.y">ok</a>', parse_mode: 'HTML' }),
    );
    expect(good.body).toMatchObject({ ok: true, result: { chat: { id: 42 }, text: '1 < 2 & ok' } });
    expect(tg.lastCall('sendMessage')?.body).toMatchObject({ chat_id: 42 });

    expect(validateTelegramHtml('<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>')).toBeNull();
    expect(validateTelegramHtml('a < b')).toMatch(/Unsupported start tag/);
    expect(validateTelegramHtml('a & b')).toMatch(/must be escaped/);
    expect(validateTelegramHtml('&nbsp;')).toMatch(/Unsupported HTML entity/);
    expect(validateTelegramHtml('<div>x</div>')).toBe('Unsupported start tag "div" at byte offset 0');
    expect(validateTelegramHtml('<b>x')).toBe('Can\'t find end tag corresponding to start tag "b"');
  });

  it('rejects getUpdates with 409 while a webhook is set, then long-polls queued updates', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const set = await call(api('setWebhook'), {
      method: 'POST',
      headers: form,
      body: new URLSearchParams({ url: 'https://example.test/hook', secret_token: 's3cret_-X' }).toString(),
    });
    expect(set.body).toMatchObject({ ok: true, result: true });
    expect(tg.webhookOf(token)).toEqual({ url: 'https://example.test/hook', secret_token: 's3cret_-X' });
    const conflict = await call(api('getUpdates'));
    expect(conflict).toMatchObject({ status: 409, body: { ok: false, error_code: 409 } });
    expect(conflict.body.description).toMatch(/^Conflict: can't use getUpdates method while webhook is active/);

    await call(api('deleteWebhook'), jsonPost({}));
    const polled = call(api('getUpdates'), jsonPost({ offset: 0, timeout: 30 }));
    setTimeout(() => tg.queueUpdate(token, { message: { text: 'hi' } }), 50);
    expect((await polled).body).toMatchObject({ ok: true, result: [{ update_id: 1, message: { text: 'hi' } }] });
  });
});

describe('FakeSlackApi', () => {
  const slack = new FakeSlackApi();
  const token = 'xoxb-1-2-abc';
  const form = (fields: Record<string, string>, auth = true) => ({
    method: 'POST' as const,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(auth ? { authorization: `Bearer ${token}` } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });

  beforeAll(async () => {
    await slack.start();
    slack.addWorkspace({ token, teamId: 'T1', team: 'Acme', botUserId: 'U0BOT', botId: 'B1', userName: 'switchboard' });
  });
  afterAll(() => slack.stop());

  it('auth.test with Bearer header or token field; unknown token → invalid_auth', async () => {
    const res = await call(`${slack.url}/api/auth.test`, form({}));
    expect(res.body).toEqual({
      ok: true,
      url: 'https://acme.slack.com/',
      team: 'Acme',
      user: 'switchboard',
      team_id: 'T1',
      user_id: 'U0BOT',
      bot_id: 'B1',
      is_enterprise_install: false,
    });
    expect((await call(`${slack.url}/api/auth.test`, form({ token }, false))).body.ok).toBe(true);
    const bad = await call(`${slack.url}/api/auth.test`, form({ token: 'xoxb-nope' }, false));
    expect(bad).toMatchObject({ status: 200, body: { ok: false, error: 'invalid_auth' } });
  });

  it('posts messages, keeps JSON form fields as strings, and can rate-limit', async () => {
    slack.failNext('chat.postMessage', {
      status: 429,
      headers: { 'retry-after': '3' },
      body: { ok: false, error: 'ratelimited' },
    });
    const limited = await call(`${slack.url}/api/chat.postMessage`, form({ channel: 'C1', text: 'hi' }));
    expect(limited).toMatchObject({ status: 429, headers: { 'retry-after': '3' }, body: { error: 'ratelimited' } });

    const blocks = JSON.stringify([{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }]);
    const posted = await call(`${slack.url}/api/chat.postMessage`, form({ channel: 'C1', text: 'hi', blocks }));
    expect(posted.body).toMatchObject({ ok: true, channel: 'C1', message: { text: 'hi', bot_id: 'B1' } });
    expect(posted.body.ts).toMatch(/^\d+\.\d{6}$/);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2);
    expect(slack.lastCall('chat.postMessage')?.body).toEqual({ channel: 'C1', text: 'hi', blocks });

    const empty = await call(`${slack.url}/api/chat.postMessage`, form({ channel: 'C1' }));
    expect(empty.body).toEqual({ ok: false, error: 'no_text' });

    await call(slack.responseUrl('abc'), jsonPost({ text: 'later' }));
    expect((await slack.waitForCalls('response_url'))[0].body).toEqual({ text: 'later' });
  });
});

describe('FakeGitHubApi', () => {
  const gh = new FakeGitHubApi();
  const auth = { authorization: 'token ghp_user' };

  beforeAll(async () => {
    await gh.start();
    gh.addToken('ghp_user', { login: 'alice', id: 1, type: 'User', scopes: ['repo'] });
    gh.addApp({ appId: 42, slug: 'switchboard', installationId: 7, login: 'switchboard[bot]' });
    gh.addRepo({ owner: 'acme', name: 'widgets' });
  });
  afterAll(() => gh.stop());

  it('creates an issue, comments on it and lists comments', async () => {
    const issue = await call(`${gh.url}/repos/acme/widgets/issues`, jsonPost({ title: 'Bug' }, auth));
    expect(issue).toMatchObject({ status: 201, body: { number: 1, html_url: 'https://github.com/acme/widgets/issues/1' } });
    expect(issue.headers['x-oauth-scopes']).toBe('repo');

    const comment = await call(`${gh.url}/repos/acme/widgets/issues/1/comments`, jsonPost({ body: 'on it' }, auth));
    expect(comment).toMatchObject({ status: 201, body: { body: 'on it', user: { login: 'alice' } } });
    await gh.waitForCalls('POST /repos/:owner/:repo/issues/:number/comments');

    const list = await call(`${gh.url}/repos/acme/widgets/issues/1/comments`, { headers: auth });
    expect(list.body).toMatchObject([{ id: comment.body.id, body: 'on it' }]);

    expect((await call(`${gh.url}/user`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await call(`${gh.url}/repos/acme/nope`, { headers: auth })).body).toMatchObject({ message: 'Not Found' });
  });

  it('exchanges an app JWT for an installation token that acts as the bot', async () => {
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const jwt = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iss: 42, exp: Date.now() / 1000 + 60 })}.c2ln`;
    const created = await call(`${gh.url}/app/installations/7/access_tokens`, jsonPost({}, { authorization: `Bearer ${jwt}` }));
    expect(created.status).toBe(201);
    const botAuth = { authorization: `token ${String(created.body.token)}` };
    const comment = await call(`${gh.url}/repos/acme/widgets/issues/1/comments`, jsonPost({ body: 'bot' }, botAuth));
    expect(comment.body).toMatchObject({ user: { login: 'switchboard[bot]', type: 'Bot' } });
    const repos = await call(`${gh.url}/installation/repositories`, { headers: botAuth });
    expect(repos.body).toMatchObject({ total_count: 1, repositories: [{ full_name: 'acme/widgets' }] });
    const wrongIss = `${b64({ alg: 'RS256' })}.${b64({ iss: 1 })}.c2ln`;
    expect((await call(`${gh.url}/app`, { headers: { authorization: `Bearer ${wrongIss}` } })).status).toBe(401);
  });
});

describe('FakeOpenAiApi, FakeWebhookReceiver and waitForCalls', () => {
  const llm = new FakeOpenAiApi({ requireApiKey: 'sk-test' });
  const hooks = new FakeWebhookReceiver();
  beforeAll(() => Promise.all([llm.start(), hooks.start()]));
  afterAll(() => Promise.all([llm.stop(), hooks.stop()]));

  it('returns a chat.completion computed by reply()', async () => {
    const body = { model: 'gpt-x', messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'ping' }] };
    const res = await call(`${llm.url}/v1/chat/completions`, jsonPost(body, { authorization: 'Bearer sk-test' }));
    expect(res.body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-x',
      choices: [{ index: 0, message: { role: 'assistant', content: 'echo: ping' }, finish_reason: 'stop' }],
    });
    const denied = await call(`${llm.url}/chat/completions`, jsonPost(body, { authorization: 'Bearer sk-bad' }));
    expect(denied).toMatchObject({ status: 401, body: { error: { code: 'invalid_api_key' } } });
    expect(llm.callsTo('chat.completions')).toHaveLength(2);
  });

  it('receiver: failNext first, then the default response', async () => {
    hooks.respondWith(204);
    hooks.failNext('/hooks/a', { status: 503, body: { error: 'down' } });
    expect((await call(hooks.urlFor('/hooks/a'), jsonPost({ n: 1 }))).status).toBe(503);
    expect((await call(hooks.urlFor('/hooks/a'), jsonPost({ n: 2 }))).status).toBe(204);
    expect(hooks.callsTo('/hooks/a').map((c) => c.body)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('waitForCalls rejects with a list of what was called', async () => {
    await expect(hooks.waitForCalls('/hooks/never', 1, 50)).rejects.toThrow(
      /timed out after 50 ms waiting for 1 call\(s\) to "\/hooks\/never" \(got 0\)\. Calls received: \/hooks\/a \[POST \/hooks\/a\] x2/,
    );
  });
});

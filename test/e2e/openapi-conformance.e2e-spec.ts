import { DataSource } from 'typeorm';
import { NotificationsService } from '../../src/notifications/notifications.service';
import { FakeGitHubApi, FakeSlackApi, FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { Actor, memberOf, ownerWithTeam } from '../factories/users';
import { OpenApiConformance, OpenApiDoc } from '../utils/openapi-conformance';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const TG_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SLACK = { botToken: 'xoxb-1111-2222-abcdefghijklmnop', signingSecret: '8f742231b10e8888abcd99yyyzzz85a5' };
const GH_TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Every operation of /docs-json is called once for real, and every answer — successes and errors — must match what
 * the document says for that status, field by field (an undocumented field fails too).
 */
describe('OpenAPI conformance: real responses match the document (e2e)', () => {
  let t: TestApp;
  let tg: FakeTelegramApi;
  let slack: FakeSlackApi;
  let gh: FakeGitHubApi;
  let rx: FakeWebhookReceiver;
  let spec: OpenApiConformance;
  let owner: Actor & { teamId: string };
  const problems: string[] = [];

  /** One request; its answer is checked against the document and must have `status`. */
  const call = async (method: 'get' | 'post' | 'patch' | 'delete', url: string, status: number, as?: Actor, body?: object) => {
    let req = t.http()[method](url);
    if (as) req = req.set(as.auth);
    const res = await (body ? req.send(body) : req);
    if (res.status !== status) throw new Error(`${method.toUpperCase()} ${url}: expected ${status}, got ${res.status} ${res.text}`);
    problems.push(...spec.check(method, url, res.status, res.body));
    return res.body;
  };

  beforeAll(async () => {
    [tg, slack, gh, rx] = await Promise.all([new FakeTelegramApi().start(), new FakeSlackApi().start(), new FakeGitHubApi().start(), new FakeWebhookReceiver().start()]);
    tg.addBot(TG_TOKEN, { id: 7001, username: 'acme_support_bot', first_name: 'Acme Support' });
    slack.addWorkspace({ token: SLACK.botToken, teamId: 'T0001', team: 'Acme', botUserId: 'U0BOT', botId: 'B0BOT', userName: 'acme-agent' });
    gh.addToken(GH_TOKEN, { login: 'acme-bot', id: 501, type: 'User', scopes: ['repo'] });
    gh.addRepo({ owner: 'acme', name: 'widgets' });
    gh.addIssue('acme', 'widgets', { title: 'It breaks', user: { login: 'ada', id: 7, type: 'User' } });
    gh.addPull('acme', 'widgets', { title: 'Fix it', user: { login: 'ada', id: 7, type: 'User' } });
    t = await createTestApp({
      env: {
        TELEGRAM_API_ROOT: tg.url,
        SLACK_API_URL: `${slack.url}/api/`,
        GITHUB_API_URL: gh.url,
        GITHUB_RETRY_AND_THROTTLE: 'false',
        PUBLIC_BASE_URL: 'https://sb.example.com',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        WEBHOOK_SWEEP_INTERVAL_S: '0',
        CONNECTION_HEALTH_INTERVAL_S: '0',
        INBOUND_SWEEP_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
      },
    });
    spec = new OpenApiConformance((await t.http().get('/docs-json').expect(200)).body as OpenApiDoc);
    owner = await ownerWithTeam(t, 'Acme');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), slack.stop(), gh.stop(), rx.stop()]);
  });

  it('the checker itself reports a field the document does not name, a wrong type and an undocumented status', () => {
    const s = spec.check('get', `/v1/teams/${owner.teamId}`, 200, { id: owner.teamId, name: 'x', role: 'owner', createdAt: 'now?', updatedAt: new Date().toISOString(), extra: 1 });
    expect(s).toEqual([expect.stringContaining('not a date-time'), expect.stringContaining('"extra" is not documented')]);
    expect(spec.check('get', '/health/live', 418, {})).toEqual([expect.stringContaining('status 418 is not documented')]);
    expect(spec.check('get', '/v1/nothing', 200, {})).toEqual([expect.stringContaining('no such operation')]);
  });

  it('every operation answers what the document says, and every operation is exercised', async () => {
    const team = `/v1/teams/${owner.teamId}`;
    await call('get', '/health/live', 200);
    await call('get', '/health/ready', 200);
    await call('post', '/v1/auth/login', 200, undefined, { email: owner.email, password: owner.password });
    await call('post', '/v1/auth/login', 401, undefined, { email: owner.email, password: 'wrong-password' });
    await call('get', '/v1/me', 200, owner);
    await call('get', '/v1/me', 401);

    // teams, invitations and members
    const second = await call('post', '/v1/teams', 201, owner, { name: 'Scratch' });
    await call('post', '/v1/teams', 400, owner, { name: '' });
    await call('get', '/v1/teams', 200, owner);
    await call('get', team, 200, owner);
    await call('patch', `/v1/teams/${second.id}`, 200, owner, { name: 'Scratch 2' });
    const invited = await call('post', `${team}/members`, 201, owner, { email: 'ada@example.com', role: 'admin' });
    await call('post', `${team}/members`, 400, owner, { email: 'ada', role: 'admin' });
    expect((await call('get', `${team}/invitations`, 200, owner)).data).toHaveLength(1);
    const accept = `/v1/invitations/${invited.token}/accept`;
    await call('post', accept, 400, undefined, { password: 'short' });
    await call('post', accept, 401);
    // not signed in: the call creates the account and signs it in (`session`)
    const joined = await call('post', accept, 201, undefined, { name: 'Ada', password: 'ada-password-1' });
    expect(joined.session).toBeDefined();
    await call('post', accept, 404, undefined, { password: 'ada-password-1' });
    const added = joined.member;
    await call('post', `${team}/members`, 409, owner, { email: 'ada@example.com', role: 'admin' });
    // signed in as the invited email: no body, no session
    const invitee = await ownerWithTeam(t, 'Invitee');
    const toInvitee = await call('post', `${team}/members`, 201, owner, { email: invitee.email, role: 'member' });
    expect((await call('get', '/v1/me/invitations', 200, invitee)).data).toHaveLength(1);
    await call('get', '/v1/me/invitations', 401);
    expect(await call('post', `/v1/invitations/${toInvitee.token}/accept`, 201, invitee)).not.toHaveProperty('session');
    const revoked = await call('post', `${team}/members`, 201, owner, { email: 'grace@example.com', role: 'member' });
    await call('delete', `${team}/invitations/${revoked.id}`, 204, owner);
    await call('delete', `${team}/invitations/${revoked.id}`, 404, owner);
    await call('get', `${team}/members`, 200, owner);
    await call('get', `${team}/members/${added.userId}`, 200, owner);
    await call('patch', `${team}/members/${added.userId}`, 200, owner, { role: 'member' });
    await call('delete', `${team}/members/${added.userId}`, 204, owner);
    const member = await memberOf(t, owner, owner.teamId, 'member');

    // agents
    const agent = await call('post', `${team}/agents`, 201, owner, { name: 'Support', runtime: { type: 'http', url: rx.urlFor('/agent') } });
    await call('post', `${team}/agents`, 403, member, { name: 'Nope' });
    await call('get', `${team}/agents`, 200, member);
    await call('get', `${team}/agents/${agent.id}`, 200, member);
    await call('patch', `${team}/agents/${agent.id}`, 200, owner, { runtime: { type: 'echo' } });
    await call('get', `/v1/teams/${second.id}/agents/${agent.id}`, 404, member);
    const agentPath = `${team}/agents/${agent.id}`;

    // connections
    await call('get', `${agentPath}/connections/slack/manifest`, 200, member);
    const telegram = await call('post', `${agentPath}/connections`, 201, owner, { platform: 'telegram', credentials: { botToken: TG_TOKEN } });
    await call('post', `${agentPath}/connections`, 409, owner, { platform: 'telegram', credentials: { botToken: TG_TOKEN } });
    await call('post', `${agentPath}/connections`, 400, owner, { platform: 'discord', credentials: {} });
    await call('post', `${agentPath}/connections`, 201, owner, { platform: 'slack', credentials: SLACK });
    const github = await call('post', `${agentPath}/connections`, 201, owner, { platform: 'github', credentials: { token: GH_TOKEN } });
    await call('get', `${agentPath}/connections`, 200, member);
    await call('get', `${agentPath}/connections/${telegram.id}`, 200, member);
    await call('get', `${agentPath}/connections/${telegram.id}/health`, 200, member);
    await call('post', `${agentPath}/connections/${telegram.id}/test`, 200, owner);
    await call('post', `${agentPath}/connections/${telegram.id}/test`, 403, member);
    // the inbound event log (one failed event, stored as the pipeline leaves it)
    const [stored] = (await t.app.get(DataSource).query(
      `INSERT INTO inbound_event (connection_id, platform, dedupe_key, ordering_key, payload, status, error)
       VALUES ($1, 'telegram', '1', '1', '{"update_id": 1}'::jsonb, 'failed', 'an earlier failure') RETURNING id`,
      [telegram.id],
    )) as { id: string }[];
    const events = `${agentPath}/connections/${telegram.id}/events`;
    await call('get', `${events}?status=failed`, 200, member);
    await call('get', `${events}?status=lost`, 400, member);
    await call('get', `${events}/${stored.id}`, 200, owner);
    await call('get', `${events}/${stored.id}`, 403, member);
    await call('post', `${events}/${stored.id}/replay`, 202, owner);
    await call('post', `${events}/00000000-0000-4000-8000-000000000000/replay`, 404, owner);
    await call('patch', `${agentPath}/connections/${telegram.id}`, 200, owner, { settings: { mode: 'polling' } });
    await call('get', `${team}/connections?platform=telegram`, 200, member);
    await call('get', `${agentPath}/connections/slack/manifest`, 200, member);

    // GitHub through the connection
    const repo = `${team}/connections/${github.id}/github/repos/acme/widgets`;
    await call('get', `${team}/connections/${github.id}/github/repos`, 200, member);
    await call('get', `${repo}/issues`, 200, member);
    await call('get', `${repo}/pulls`, 200, member);
    const issue = await call('post', `${repo}/issues`, 201, owner, { title: 'From Switchboard', labels: ['bug'] });
    await call('post', `${repo}/issues/${issue.number}/comments`, 201, owner, { body: 'Thanks!' });

    // conversations
    const chat = await call('post', `${agentPath}/chat`, 200, owner, { text: 'Hello' });
    await call('post', `${agentPath}/chat`, 200, owner, { text: 'Again', conversationId: chat.conversationId });
    await call('get', `${agentPath}/conversations`, 200, member);
    await call('get', `${agentPath}/conversations/${chat.conversationId}/messages`, 200, member);

    // proactive messages
    const msgs = `${agentPath}/messages`;
    await call('post', msgs, 201, owner, { connectionId: telegram.id, chatId: '4242', text: 'Deploy **finished**', actions: [{ id: 'ok', label: 'OK' }] });
    await call('post', msgs, 400, owner, { connectionId: telegram.id, chatId: '4242' });
    await call('post', msgs, 403, member, { connectionId: telegram.id, chatId: '4242', text: 'x' });
    await call('post', msgs, 404, owner, { connectionId: '00000000-0000-4000-8000-000000000000', chatId: '4242', text: 'x' });
    tg.failNext((c) => c.path.endsWith('/sendMessage'), { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } } });
    await call('post', msgs, 429, owner, { connectionId: telegram.id, chatId: '4242', text: 'x' });
    tg.failNext((c) => c.path.endsWith('/sendMessage'), { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } });
    await call('post', msgs, 422, owner, { connectionId: telegram.id, chatId: '4242', text: 'x' });

    // scheduled jobs
    const jobsPath = `${agentPath}/jobs`;
    const job = await call('post', jobsPath, 201, owner, { name: 'Summary', schedule: '0 9 * * 1-5', timezone: 'Europe/Berlin', prompt: 'Summarize', enabled: false, deliverTo: { connectionId: telegram.id, chatId: '4242' } });
    await call('post', jobsPath, 400, owner, { name: 'Bad', schedule: 'nope', prompt: 'x' });
    await call('post', jobsPath, 403, member, { name: 'x', schedule: '* * * * *', prompt: 'x' });
    await call('get', jobsPath, 200, member);
    await call('get', `${jobsPath}/${job.id}`, 200, member);
    await call('get', `${jobsPath}/00000000-0000-4000-8000-000000000000`, 404, member);
    await call('patch', `${jobsPath}/${job.id}`, 200, owner, { deliverTo: null, timezone: 'UTC' });
    await call('patch', `${jobsPath}/${job.id}`, 400, owner, { timezone: 'Mars/Olympus' });
    const jobRun = await call('post', `${jobsPath}/${job.id}/run`, 202, owner);
    await until(async () => (await t.http().get(`${jobsPath}/${job.id}/runs/${jobRun.id}`).set(owner.auth)).body.status === 'completed', 'the job run');
    await call('get', `${jobsPath}/${job.id}/runs`, 200, member);
    await call('get', `${jobsPath}/${job.id}/runs?status=bogus`, 400, member);
    await call('get', `${jobsPath}/${job.id}/runs/${jobRun.id}`, 200, member);
    await call('delete', `${jobsPath}/${job.id}`, 204, owner);
    await call('delete', `${jobsPath}/${job.id}`, 404, owner);

    // webhooks
    await call('get', '/v1/webhook-event-types', 200, member);
    const endpoint = await call('post', `${team}/webhooks`, 201, owner, { url: rx.urlFor('/hooks/a'), eventTypes: ['webhook.test'] });
    await call('get', `${team}/webhooks`, 403, member);
    await call('get', `${team}/webhooks`, 200, owner);
    const hook = `${team}/webhooks/${endpoint.id}`;
    await call('get', hook, 200, owner);
    await call('patch', hook, 200, owner, { description: null, eventTypes: null });
    const test = await call('post', `${hook}/test`, 202, owner);
    await until(async () => (await t.http().get(`${hook}/deliveries/${test.deliveryId}`).set(owner.auth)).body.status === 'delivered', 'the test delivery');
    await call('get', `${hook}/deliveries`, 200, owner);
    await call('get', `${hook}/deliveries/${test.deliveryId}`, 200, owner);
    await call('post', `${hook}/deliveries/${test.deliveryId}/retry`, 202, owner);
    await call('post', `${hook}/recover`, 202, owner, { since: new Date(Date.now() - 60_000).toISOString() });
    await call('post', `${hook}/rotate-secret`, 200, owner);
    await call('patch', hook, 200, owner, { enabled: false });
    await call('post', `${hook}/test`, 409, owner);

    // notifications (one made the way the dispatcher makes them)
    await t.app.get(DataSource).transaction((em) =>
      t.app.get(NotificationsService).notify(em, owner.teamId, 'webhook_endpoint.failing', 'Webhook endpoint is failing', { endpoint_id: endpoint.id }),
    );
    await call('get', `${team}/notifications`, 200, owner);

    // API keys and the audit log
    const key = await call('post', `${team}/api-keys`, 201, owner, { name: 'CI', scopes: ['read'] });
    await call('post', `${team}/api-keys`, 400, owner, { name: 'CI', scopes: ['root'] });
    await call('get', `${team}/api-keys`, 200, owner);
    await call('get', `${team}/api-keys/${key.id}`, 200, owner);
    await call('get', `${team}/api-keys`, 403, member);
    await call('get', `${team}/agents`, 200, { ...owner, auth: { Authorization: `Bearer ${key.key}` } });
    await call('delete', `${team}/api-keys/${key.id}`, 204, owner);
    await call('get', `${team}/audit-log?action=agent.updated`, 200, owner);
    await call('get', `${team}/audit-log?since=yesterday`, 400, owner);

    // deletions
    await call('delete', hook, 204, owner);
    await call('delete', `${agentPath}/connections/${telegram.id}`, 204, owner);
    await call('delete', agentPath, 204, owner);
    await call('delete', `/v1/teams/${second.id}`, 204, owner);

    expect(problems).toEqual([]);
    const unexercised = spec.operations().filter((op) => ![...(spec.seen.get(op) ?? [])].some((s) => s >= 200 && s < 300));
    expect(unexercised).toEqual([]);
  }, 120_000);
});

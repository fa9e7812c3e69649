import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { signGitHubPayload } from '../../src/integrations/github/github-signature';
import { Webhook } from 'standardwebhooks';
import { FakeGitHubApi } from '../fakes';
import { FakeWebhookReceiver } from '../fakes/webhook-receiver.fake';
import { Actor, memberOf, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { inboundSettled, until } from '../utils/wait';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a JSON data package without ESM typings we need
const examples = require('@octokit/webhooks-examples') as { name: string; examples: Record<string, unknown>[] }[];
const SUBSCRIBED = ['issues', 'issue_comment', 'pull_request', 'push', 'release'];
const TOKEN = 'ghp_switchboardtesttoken0123456789abcd';
const BOT = 'acme-agent';


describe('GitHub (e2e against the fake GitHub REST API and real example payloads)', () => {
  let gh: FakeGitHubApi;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let connectionId: string;
  let agentId: string;
  let secret: string;

  const post = (event: string, raw: string, opts: { delivery?: string; signature?: string } = {}) =>
    t
      .http()
      .post(`/webhooks/github/${connectionId}`)
      .set('content-type', 'application/json')
      .set('x-github-event', event)
      .set('x-github-delivery', opts.delivery ?? randomUUID())
      .set('x-hub-signature-256', opts.signature ?? signGitHubPayload(secret, raw))
      .send(raw);
  const statuses = async (): Promise<{ status: string; error: string | null; dedupe_key: string }[]> =>
    ds.query('SELECT status, error, dedupe_key FROM inbound_event WHERE connection_id = $1 ORDER BY seq', [connectionId]);
  const settled = async (n: number): Promise<boolean> => {
    const rows = await statuses();
    return rows.length >= n && rows.every((r) => ['done', 'ignored', 'failed'].includes(r.status));
  };
  const repoPayload = { full_name: 'acme/widgets', name: 'widgets', owner: { login: 'acme' }, default_branch: 'main' };

  beforeAll(async () => {
    gh = await new FakeGitHubApi().start();
    gh.addToken(TOKEN, { login: BOT, id: 9001, type: 'User', scopes: ['repo'] });
    gh.addRepo({ owner: 'acme', name: 'widgets' });
    gh.addRepo({ owner: 'acme', name: 'private-stuff', private: true });
    const added = new Set<string>();
    for (const ex of examples.filter((e) => SUBSCRIBED.includes(e.name)).flatMap((e) => e.examples)) {
      const repo = (ex as { repository?: { full_name: string; default_branch?: string } }).repository;
      const [o, n] = repo?.full_name.split('/') ?? [];
      if (o && n) {
        if (!added.has(repo!.full_name)) gh.addRepo({ owner: o, name: n, default_branch: repo?.default_branch });
        added.add(repo!.full_name);
        const num = (ex as { issue?: { number: number }; pull_request?: { number: number } }).issue?.number ?? (ex as { pull_request?: { number: number } }).pull_request?.number;
        if (num) gh.addPullFiles(o, n, num, [{ filename: 'README.md', status: 'modified', additions: 1, deletions: 0, patch: '@@ -1 +1 @@\n-a\n+b' }]);
      }
    }
    // INBOUND_WORKING_DELAY_MS=0: the working sign (👀 on a mention) goes up even for the echo's instant answers
    t = await createTestApp({
      env: { GITHUB_API_URL: gh.url, GITHUB_RETRY_AND_THROTTLE: 'false', CONNECTION_HEALTH_INTERVAL_S: '0', INBOUND_SWEEP_INTERVAL_S: '0', TELEGRAM_POLL_SCAN_MS: '0', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', INBOUND_WORKING_DELAY_MS: '0' },
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'GitHub');
    const agent = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'Triage' }).expect(201);
    agentId = agent.body.id;
    const conn = await t.http().post(`/v1/teams/${owner.teamId}/agents/${agentId}/connections`).set(owner.auth).send({ platform: 'github', credentials: { token: TOKEN } }).expect(201);
    connectionId = conn.body.id;
    secret = conn.body.setup.webhookSecret;
  });
  afterAll(async () => {
    await t.close();
    await gh.stop();
  });

  it('every @octokit/webhooks-examples payload of the subscribed events, signed over its exact bytes, is routed or ignored without error', async () => {
    const cases = examples.filter((e) => SUBSCRIBED.includes(e.name) || e.name === 'ping').flatMap((e) => e.examples.map((ex) => ({ event: e.name, ex })));
    expect(cases.length).toBeGreaterThan(50);
    let stored = 0;
    const names = new Map<string, string>();
    for (const { event, ex } of cases) {
      const raw = JSON.stringify(ex, null, event.length % 2 ? 2 : 0); // spacing varies; the signature is over these bytes
      const d = randomUUID();
      await post(event, raw, { delivery: d }).expect(200);
      names.set(d, `${event}.${(ex as { action?: string }).action} ${(ex as { repository?: { full_name: string } }).repository?.full_name} #${(ex as { issue?: { number: number } }).issue?.number ?? (ex as { pull_request?: { number: number } }).pull_request?.number}`);
      if (event !== 'ping') stored++;
    }
    await until(() => settled(stored), `${stored} events to settle`, 60000);
    const rows = await statuses();
    expect(rows).toHaveLength(stored);
    expect(rows.filter((r) => r.status === 'failed').map((r) => `${names.get(r.dedupe_key)}: ${r.error}`)).toEqual([]);
    expect(rows.filter((r) => r.status === 'done').length).toBeGreaterThan(5);
  }, 90_000);

  it('a body re-serialized with different spacing fails the signature (401, nothing stored)', async () => {
    const before = (await statuses()).length;
    const payload = { action: 'opened', issue: { number: 1, title: 'x', user: { login: 'u' } }, repository: repoPayload, sender: { login: 'u' } };
    const signed = JSON.stringify(payload);
    await post('issues', JSON.stringify(payload, null, 2), { signature: signGitHubPayload(secret, signed) }).expect(401);
    await post('issues', signed, { signature: 'sha256=deadbeef' }).expect(401);
    expect((await statuses()).length).toBe(before);
  });

  it('a new issue gets a triage comment; labels set the priority; the same delivery twice makes one comment', async () => {
    const n = gh.addIssue('acme', 'widgets', { title: 'Login broken', body: 'It fails', user: { login: 'ada', id: 1, type: 'User' } });
    const payload = { action: 'opened', issue: { number: n, title: 'Login broken', body: 'It fails', user: { login: 'ada', id: 1 }, labels: [{ name: 'priority: high' }] }, repository: repoPayload, sender: { login: 'ada' } };
    const raw = JSON.stringify(payload);
    const delivery = randomUUID();
    await post('issues', raw, { delivery }).expect(200);
    await post('issues', raw, { delivery }).expect(200);
    await until(() => gh.commentsOn('acme', 'widgets', n).length === 1, 'triage comment');
    await inboundSettled(ds, connectionId); // the duplicate delivery was stored once, and that event finished
    const comments = gh.commentsOn('acme', 'widgets', n);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ login: BOT, body: expect.stringContaining('New issue #') });
    expect(comments[0].body).toContain('Labels: priority: high');
    const [conv] = await ds.query("SELECT metadata FROM conversation WHERE external_chat_id = 'acme/widgets' AND external_thread_id = $1", [String(n)]);
    expect(conv.metadata).toMatchObject({ priority: 'high', kind: 'issue' });
  });

  it('a comment that mentions the bot is answered in the thread; our own comment and unmentioned ones are not', async () => {
    const n = gh.addIssue('acme', 'widgets', { title: 'Question', user: { login: 'bob', id: 2, type: 'User' } });
    const issue = { number: n, title: 'Question', user: { login: 'bob' }, labels: [] };
    const mention = { action: 'created', issue, comment: { id: 77, body: `@${BOT} can you help?`, user: { login: 'bob', id: 2 } }, repository: repoPayload, sender: { login: 'bob' } };
    const plain = { ...mention, comment: { id: 78, body: 'thanks all', user: { login: 'bob' } } };
    const own = { ...mention, comment: { id: 79, body: `@${BOT} I said`, user: { login: BOT } }, sender: { login: BOT } };
    for (const p of [plain, own, mention]) await post('issue_comment', JSON.stringify(p)).expect(200);
    await until(() => gh.commentsOn('acme', 'widgets', n).length === 1, 'answer');
    await inboundSettled(ds, connectionId); // the plain and own comments finished (ignored): no answer will follow
    expect(gh.commentsOn('acme', 'widgets', n)).toHaveLength(1);
    expect(gh.commentsOn('acme', 'widgets', n)[0].body).toContain('can you help?');
    const rows = await statuses();
    expect(rows.some((r) => r.error === 'caused by our own bot')).toBe(true);
    expect(rows.some((r) => r.error === 'comment does not mention the bot')).toBe(true);
  });

  it('while the agent works, 👀 shows on the comment that mentioned the bot; not on an ignored comment, nor on a new issue', async () => {
    const n = gh.addIssue('acme', 'widgets', { title: 'Flaky test', user: { login: 'cy', id: 3, type: 'User' } });
    const issue = { number: n, title: 'Flaky test', user: { login: 'cy' }, labels: [] };
    const asked = gh.addComment('acme', 'widgets', n, { body: `@${BOT} why does it flake?`, user: { login: 'cy', id: 3, type: 'User' } });
    const chatter = gh.addComment('acme', 'widgets', n, { body: 'same here', user: { login: 'dee', id: 4, type: 'User' } });
    const comment = (id: number, body: string) => ({ action: 'created', issue, comment: { id, body, user: { login: 'cy', id: 3 } }, repository: repoPayload, sender: { login: 'cy' } });
    await post('issue_comment', JSON.stringify(comment(chatter, 'same here'))).expect(200);
    await post('issue_comment', JSON.stringify(comment(asked, `@${BOT} why does it flake?`))).expect(200);
    await until(() => gh.commentsOn('acme', 'widgets', n).length === 3, 'the answer');
    await inboundSettled(ds, connectionId);
    expect(gh.reactionsOn('acme', 'widgets', { comment: asked })).toEqual([`${BOT}:eyes`]);
    expect(gh.reactionsOn('acme', 'widgets', { comment: chatter })).toEqual([]);
    const [react] = gh.calls.filter((c) => c.path.endsWith(`/comments/${asked}/reactions`));
    const [answer] = gh.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/issues/${n}/comments`));
    expect(react.at).toBeLessThanOrEqual(answer.at); // up before the answer, never after it

    const opened = gh.addIssue('acme', 'widgets', { title: 'Crash on start', user: { login: 'cy', id: 3, type: 'User' } });
    const newIssue = { action: 'opened', issue: { number: opened, title: 'Crash on start', body: null, user: { login: 'cy', id: 3 }, labels: [] }, repository: repoPayload, sender: { login: 'cy' } };
    await post('issues', JSON.stringify(newIssue)).expect(200);
    await until(() => gh.commentsOn('acme', 'widgets', opened).length === 1, 'triage comment');
    await inboundSettled(ds, connectionId);
    expect(gh.reactionsOn('acme', 'widgets', { issue: opened })).toEqual([]); // nobody waits there; reactions cost rate limit
  });

  it('an opened pull request is reviewed with its changed files fetched; drafts wait until ready', async () => {
    gh.addPullFiles('acme', 'widgets', 500, [{ filename: 'src/login.ts', status: 'modified', additions: 3, deletions: 1, patch: '@@ -1 +1 @@\n-old\n+new' }]);
    const pr = { number: 500, title: 'Fix login', body: 'Fixes it', user: { login: 'carol' }, draft: false, head: { sha: 'abc' }, labels: [] };
    await post('pull_request', JSON.stringify({ action: 'opened', pull_request: { ...pr, draft: true }, repository: repoPayload, sender: { login: 'carol' } })).expect(200);
    await post('pull_request', JSON.stringify({ action: 'ready_for_review', pull_request: pr, repository: repoPayload, sender: { login: 'carol' } })).expect(200);
    await until(() => gh.commentsOn('acme', 'widgets', 500).length === 1, 'review comment');
    expect(gh.callsTo('GET /repos/:owner/:repo/pulls/:number/files').length).toBeGreaterThan(0);
    expect(gh.commentsOn('acme', 'widgets', 500)[0].body).toContain('src/login.ts (modified, +3 −1)');
    expect((await statuses()).some((r) => r.error === 'draft pull request (reviewed when ready)')).toBe(true);
  });

  it('events for repositories outside settings.repositories are acknowledged and ignored', async () => {
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${agentId}/connections/${connectionId}`).set(owner.auth).send({ settings: { repositories: ['acme/widgets'] } }).expect(200);
    await new Promise((r) => setTimeout(r, 50));
    const other = { ...repoPayload, full_name: 'acme/private-stuff', name: 'private-stuff' };
    // the webhook guard may still hold the old settings for a few seconds; the worker re-checks them either way
    const res = await post('issues', JSON.stringify({ action: 'opened', issue: { number: 1, title: 't', user: { login: 'x' } }, repository: other, sender: { login: 'x' } }));
    expect(res.status).toBe(200);
    await until(async () => (await statuses()).at(-1)?.status === 'ignored', 'ignored');
    expect((await statuses()).at(-1)?.error).toBe('repository acme/private-stuff is not in settings.repositories');
  });

  describe('repository API', () => {
    const base = (): string => `/v1/teams/${owner.teamId}/connections/${connectionId}/github`;
    it('lists repos, issues and pulls; creates issues and comments', async () => {
      const repos = await t.http().get(`${base()}/repos`).set(owner.auth).expect(200);
      expect(repos.body.map((r: { fullName: string }) => r.fullName)).toEqual(['acme/widgets']);
      const created = await t.http().post(`${base()}/repos/acme/widgets/issues`).set(owner.auth).send({ title: 'From a conversation', body: 'details', labels: ['bug'] }).expect(201);
      expect(created.body).toMatchObject({ number: expect.any(Number), title: 'From a conversation' });
      const issues = await t.http().get(`${base()}/repos/acme/widgets/issues`).set(owner.auth).expect(200);
      expect(issues.body.some((i: { title: string }) => i.title === 'From a conversation')).toBe(true);
      const pulls = await t.http().get(`${base()}/repos/acme/widgets/pulls`).set(owner.auth).expect(200);
      expect(pulls.body.some((p: { number: number }) => p.number === 500)).toBe(true);
      await t.http().post(`${base()}/repos/acme/widgets/issues/${created.body.number}/comments`).set(owner.auth).send({ body: 'noted' }).expect(201);
      expect(gh.commentsOn('acme', 'widgets', created.body.number).map((c) => c.body)).toEqual(['noted']);
    });

    it('maps GitHub errors: invisible repo 404, missing permission 403 naming the scope; members cannot write', async () => {
      await t.http().get(`${base()}/repos/acme/private-stuff/issues`).set(owner.auth).expect(404);
      await t.http().patch(`/v1/teams/${owner.teamId}/agents/${agentId}/connections/${connectionId}`).set(owner.auth).send({ settings: { repositories: [] } }).expect(200);
      await t.http().get(`${base()}/repos/acme/nope/issues`).set(owner.auth).expect(404);
      gh.failNext('POST /repos/:owner/:repo/issues', { status: 403, body: { message: 'Resource not accessible by personal access token' }, headers: { 'x-accepted-oauth-scopes': 'repo' } });
      const forbidden = await t.http().post(`${base()}/repos/acme/widgets/issues`).set(owner.auth).send({ title: 'x' }).expect(403);
      expect(forbidden.body.message).toContain('needs scope: repo');
      const member = await memberOf(t, owner, owner.teamId, 'member');
      await t.http().post(`${base()}/repos/acme/widgets/issues`).set(member.auth).send({ title: 'x' }).expect(403);
      await t.http().get(`${base()}/repos`).set(member.auth).expect(200);
      const bad = await t.http().post(`${base()}/repos/acme/widgets/issues`).set(owner.auth).send({}).expect(400);
      expect(bad.body.details[0].field).toBe('title');
    });
  });

  it('a push to the default branch and a published release reach a team endpoint as signed github.push / github.release events', async () => {
    const receiver = await new FakeWebhookReceiver().start();
    try {
      const endpoint = await t
        .http()
        .post(`/v1/teams/${owner.teamId}/webhooks`)
        .set(owner.auth)
        .send({ url: receiver.urlFor('/github-events'), eventTypes: ['github.push', 'github.release'] })
        .expect(201);
      const verifier = new Webhook(endpoint.body.secret);
      const sender = { login: 'ada' };
      await post('push', JSON.stringify({ ref: 'refs/heads/feature', before: 'a', after: 'b', repository: repoPayload, sender, commits: [] })).expect(200);
      await post('push', JSON.stringify({ ref: 'refs/heads/main', before: 'a1', after: 'b2', compare: 'https://github.com/acme/widgets/compare/a1...b2', pusher: { name: 'ada' }, repository: repoPayload, sender, commits: [{ id: 'b2', message: 'Fix login', author: { name: 'Ada' } }] })).expect(200);
      await post('release', JSON.stringify({ action: 'created', release: { tag_name: 'v0.9.0', name: 'draft' }, repository: repoPayload, sender })).expect(200);
      await post('release', JSON.stringify({ action: 'published', release: { tag_name: 'v1.0.0', name: 'One', html_url: 'https://github.com/acme/widgets/releases/v1.0.0', author: { login: 'ada' } }, repository: repoPayload, sender })).expect(200);
      const calls = await receiver.waitForCalls('/github-events', 2);
      await inboundSettled(ds, connectionId); // the ignored push and the unpublished release finished without publishing
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM webhook_delivery WHERE endpoint_id = $1`, [endpoint.body.id]);
      expect(n).toBe(2); // nothing else was published to the endpoint
      expect(receiver.callsTo('/github-events')).toHaveLength(2);
      const events = calls.map((c) => verifier.verify(c.rawBody, c.headers as Record<string, string>) as { type: string; team_id: string; data: Record<string, unknown> });
      const push = events.find((e) => e.type === 'github.push');
      const release = events.find((e) => e.type === 'github.release');
      expect(push).toMatchObject({ team_id: owner.teamId, data: { repository: 'acme/widgets', ref: 'refs/heads/main', after: 'b2', commit_count: 1, connection_id: connectionId, agent_id: agentId } });
      expect(release).toMatchObject({ team_id: owner.teamId, data: { repository: 'acme/widgets', tag: 'v1.0.0', url: 'https://github.com/acme/widgets/releases/v1.0.0' } });
    } finally {
      await receiver.stop();
    }
  });
});

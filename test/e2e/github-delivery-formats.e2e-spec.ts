import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { signGitHubPayload } from '../../src/integrations/github/github-signature';
import { FakeGitHubApi } from '../fakes';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a JSON data package without ESM typings we need
const examples = require('@octokit/webhooks-examples') as { name: string; examples: Record<string, unknown>[] }[];
const TOKEN = 'ghp_switchboardformats0123456789abcdef';
const BOT = 'acme-agent';
const MB = 1024 * 1024;

/** A real push (the @octokit/webhooks-examples push to the default branch) grown to 2,048 commits: about 1.7 MB. */
function bigPush(): { raw: string; after: string } {
  const base = examples.find((e) => e.name === 'push')!.examples.find((p) => (p as { commits: unknown[] }).commits.length === 1) as Record<string, unknown> & {
    commits: Record<string, unknown>[];
  };
  const template = base.commits[0];
  const commits = Array.from({ length: 2048 }, (_, i) => {
    const id = createHash('sha1').update(`commit ${i}`).digest('hex');
    return {
      ...template,
      id,
      tree_id: createHash('sha1').update(`tree ${i}`).digest('hex'),
      url: `https://github.com/Codertocat/Hello-World/commit/${id}`,
      message: `Change ${i}: refactor the widget pipeline\n\n${'Explains what changed and why, in the usual detail. '.repeat(3)}`,
      modified: [`src/widgets/widget-${i}.ts`, `test/widgets/widget-${i}.spec.ts`],
    };
  });
  const after = commits[commits.length - 1].id;
  const raw = JSON.stringify({ ...base, after, commits, head_commit: commits[commits.length - 1] });
  return { raw, after };
}

describe('GitHub delivery formats (e2e): 25 MB bodies, application/x-www-form-urlencoded, signed over the raw bytes', () => {
  let gh: FakeGitHubApi;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let connectionId: string;
  let secret: string;
  const repository = { full_name: 'acme/widgets', name: 'widgets', owner: { login: 'acme' }, default_branch: 'main' };

  const post = (event: string, raw: string | Buffer, opts: { contentType?: string; signature?: string; delivery?: string } = {}) =>
    t
      .http()
      .post(`/webhooks/github/${connectionId}`)
      .set('content-type', opts.contentType ?? 'application/json')
      .set('x-github-event', event)
      .set('x-github-delivery', opts.delivery ?? randomUUID())
      .set('x-hub-signature-256', opts.signature ?? signGitHubPayload(secret, raw))
      .send(raw);
  const form = (json: string): string => `payload=${encodeURIComponent(json)}`;
  const eventRow = async (delivery: string): Promise<{ status: string; error: string | null } | undefined> =>
    (await ds.query('SELECT status, error FROM inbound_event WHERE connection_id = $1 AND dedupe_key = $2', [connectionId, delivery]))[0];

  beforeAll(async () => {
    gh = await new FakeGitHubApi().start();
    gh.addToken(TOKEN, { login: BOT, id: 9001, type: 'User', scopes: ['repo'] });
    gh.addRepo({ owner: 'acme', name: 'widgets' });
    t = await createTestApp({
      env: { GITHUB_API_URL: gh.url, GITHUB_RETRY_AND_THROTTLE: 'false', CONNECTION_HEALTH_INTERVAL_S: '0', INBOUND_SWEEP_INTERVAL_S: '0', TELEGRAM_POLL_SCAN_MS: '0' },
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'GitHub formats');
    const agent = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'Triage' }).expect(201);
    const conn = await t.http().post(`/v1/teams/${owner.teamId}/agents/${agent.body.id}/connections`).set(owner.auth).send({ platform: 'github', credentials: { token: TOKEN } }).expect(201);
    connectionId = conn.body.id;
    secret = conn.body.setup.webhookSecret;
  });
  afterAll(async () => {
    await t.close();
    await gh.stop();
  });

  it('a real 1.7 MB push of 2,048 commits is accepted, stored and published as github.push (it was refused 400 at 1 MB)', async () => {
    const { raw, after } = bigPush();
    expect(raw.length).toBeGreaterThan(1.6 * 1e6);
    expect(raw.length).toBeLessThan(1.8 * 1e6);
    const delivery = randomUUID();
    await post('push', raw, { delivery }).expect(200, { ok: true });
    await until(async () => (await eventRow(delivery))?.status === 'done', 'the push to be processed', 30_000);
    const [published] = await ds.query(`SELECT data FROM webhook_event WHERE type = 'github.push' AND data->>'after' = $1`, [after]);
    expect(published.data).toMatchObject({ repository: 'Codertocat/Hello-World', commit_count: 2048, connection_id: connectionId });
  });

  it('a form-encoded issues.opened (payload=<json>), signed over the raw form bytes, is processed like JSON: the agent comments', async () => {
    const n = gh.addIssue('acme', 'widgets', { title: 'Form delivery', body: 'Sent as a form', user: { login: 'ada', id: 1, type: 'User' } });
    const json = JSON.stringify({ action: 'opened', issue: { number: n, title: 'Form delivery', body: 'Sent as a form & more', user: { login: 'ada', id: 1 }, labels: [] }, repository, sender: { login: 'ada' } });
    const raw = form(json);
    // a signature over the JSON inside, not over the bytes sent, is refused
    await post('issues', raw, { contentType: 'application/x-www-form-urlencoded', signature: signGitHubPayload(secret, json) }).expect(401);
    const delivery = randomUUID();
    await post('issues', raw, { contentType: 'application/x-www-form-urlencoded', delivery }).expect(200, { ok: true });
    await until(() => gh.commentsOn('acme', 'widgets', n).length === 1, 'the triage comment');
    expect(gh.commentsOn('acme', 'widgets', n)[0]).toMatchObject({ login: BOT, body: expect.stringContaining(`New issue #${n} in acme/widgets by @ada: Form delivery`) });
    expect(gh.commentsOn('acme', 'widgets', n)[0].body).toContain('Sent as a form & more');
    await until(async () => (await eventRow(delivery))?.status === 'done', 'the event to be done');
    expect(await eventRow(delivery)).toEqual({ status: 'done', error: null });
  });

  it('a form without a JSON payload field is a 400 naming the field; ping needs no payload', async () => {
    const bad = await post('issues', 'action=opened', { contentType: 'application/x-www-form-urlencoded' }).expect(400);
    expect(bad.body).toMatchObject({ message: 'a form body must carry its JSON in the payload field', details: [{ field: 'payload' }], requestId: expect.any(String) });
    const notJson = await post('issues', 'payload=%7Bnope', { contentType: 'application/x-www-form-urlencoded' }).expect(400);
    expect(notJson.body.message).toBe('payload is not valid JSON');
    await post('ping', form(JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 })), { contentType: 'application/x-www-form-urlencoded' }).expect(200, { ok: true });
  });

  it('10,000 levels of nesting, as JSON or inside the form payload, are a 400 (never a 5xx)', async () => {
    const deep = `{"action":"opened","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const json = await post('issues', deep);
    expect({ status: json.status, message: json.body.message }).toEqual({ status: 400, message: 'body is nested too deeply (at most 64 levels)' });
    const inForm = await post('issues', form(deep), { contentType: 'application/x-www-form-urlencoded' });
    expect({ status: inForm.status, message: inForm.body.message }).toEqual({ status: 400, message: 'payload is nested too deeply (at most 64 levels)' });
  });

  it('a 26 MB body is 413 naming the 25 MB limit, before anything is stored', async () => {
    const before = (await ds.query('SELECT count(*)::int AS n FROM inbound_event WHERE connection_id = $1', [connectionId]))[0].n;
    const raw = JSON.stringify({ action: 'opened', repository, filler: 'x'.repeat(26 * MB) });
    const res = await post('issues', raw).set('x-request-id', 'gh-too-large');
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large (limit 25 MB)', requestId: 'gh-too-large' });
    expect((await ds.query('SELECT count(*)::int AS n FROM inbound_event WHERE connection_id = $1', [connectionId]))[0].n).toBe(before);
  }, 60_000);
});

import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { signGitHubPayload } from '../../src/integrations/github/github-signature';
import { FakeGitHubApi, FakeSlackApi } from '../fakes';
import { connectSlackApp, nextTs, postSigned, SlackAppFixture } from '../factories/slack';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const TOKEN = 'ghp_replayprotectiontoken0123456789abc';
const BOT = 'replay-agent';
const repository = { full_name: 'acme/replays', name: 'replays', owner: { login: 'acme' }, default_branch: 'main' };

describe('Replays and dedupe of inbound events', () => {
  let gh: FakeGitHubApi;
  let slack: FakeSlackApi;
  let a: TestApp;
  let b: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };

  type Row = { status: string; error: string | null; dedupe_key: string };
  const rows = (connectionId: string): Promise<Row[]> =>
    ds.query('SELECT status, error, dedupe_key FROM inbound_event WHERE connection_id = $1 ORDER BY seq', [connectionId]);
  const settled = async (connectionId: string, n: number): Promise<boolean> => {
    const r = await rows(connectionId);
    return r.length >= n && r.every((x) => ['done', 'ignored', 'failed'].includes(x.status));
  };

  beforeAll(async () => {
    [gh, slack] = await Promise.all([new FakeGitHubApi().start(), new FakeSlackApi().start()]);
    gh.addToken(TOKEN, { login: BOT, id: 9200, type: 'User', scopes: ['repo'] });
    gh.addRepo({ owner: 'acme', name: 'replays' });
    const env = {
      GITHUB_API_URL: gh.url,
      GITHUB_RETRY_AND_THROTTLE: 'false',
      SLACK_API_URL: `${slack.url}/api/`,
      CONNECTION_HEALTH_INTERVAL_S: '0',
      INBOUND_SWEEP_INTERVAL_S: '0',
      TELEGRAM_POLL_SCAN_MS: '0',
    };
    a = await createTestApp({ env });
    b = await createTestApp({ env, reuseDatabase: true });
    ds = a.app.get(DataSource);
    owner = await ownerWithTeam(a, 'Replays');
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await Promise.all([gh.stop(), slack.stop()]);
  });

  describe('GitHub (signatures carry no timestamp)', () => {
    let connectionId: string;
    let secret: string;
    const post = (t: TestApp, event: string, raw: string, delivery: string) =>
      t.http().post(`/webhooks/github/${connectionId}`).set('content-type', 'application/json').set('x-github-event', event)
        .set('x-github-delivery', delivery).set('x-hub-signature-256', signGitHubPayload(secret, raw)).send(raw);

    beforeAll(async () => {
      const agent = await a.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'Replay triage' }).expect(201);
      const conn = await a.http().post(`/v1/teams/${owner.teamId}/agents/${agent.body.id}/connections`).set(owner.auth).send({ platform: 'github', credentials: { token: TOKEN } }).expect(201);
      connectionId = conn.body.id;
      secret = conn.body.setup.webhookSecret;
    });

    it('a captured signed body re-sent with new X-GitHub-Delivery ids (to any instance) is 200 but processed once: one agent comment', async () => {
      const n = gh.addIssue('acme', 'replays', { title: 'Replayed', body: 'once', user: { login: 'eve', id: 7, type: 'User' } });
      const raw = JSON.stringify({ action: 'opened', issue: { number: n, title: 'Replayed', body: 'once', user: { login: 'eve', id: 7 }, labels: [] }, repository, sender: { login: 'eve' } });
      const original = randomUUID();
      const res = await post(a, 'issues', raw, original).expect(200);
      expect(res.body).toEqual({ ok: true });
      for (const t of [a, b, a]) await post(t, 'issues', raw, randomUUID()).expect(200, { ok: true });

      expect((await rows(connectionId)).map((r) => r.dedupe_key)).toEqual([original]);
      await until(() => settled(connectionId, 1), 'the original to be processed');
      await until(() => gh.commentsOn('acme', 'replays', n).length >= 1, 'the triage comment');
      expect(gh.commentsOn('acme', 'replays', n)).toHaveLength(1);
    });

    it('a different body (even one byte) under a new delivery id is a new event; the hash is per connection', async () => {
      const before = (await rows(connectionId)).length;
      const payload = { action: 'closed', issue: { number: 1, title: 't', user: { login: 'u' } }, repository, sender: { login: 'u' } };
      await post(a, 'issues', JSON.stringify(payload), randomUUID()).expect(200);
      await post(a, 'issues', JSON.stringify(payload, null, 1), randomUUID()).expect(200);
      expect((await rows(connectionId)).length).toBe(before + 2);
      const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM inbound_event WHERE connection_id = $1 AND body_hash IS NOT NULL', [connectionId]);
      expect(n).toBe(before + 2);
    });
  });

  describe('Slack events without event_id', () => {
    let app: SlackAppFixture;
    beforeAll(async () => {
      app = await connectSlackApp(a, slack, owner);
    });
    const envelope = (event: Record<string, unknown>): string =>
      JSON.stringify({ token: 'x', team_id: 'T1', api_app_id: 'A0APP', type: 'event_callback', event_time: Math.floor(Date.now() / 1000), event });

    it('two different events are both stored and processed; the same one again (a retry) is still one', async () => {
      const first = envelope({ type: 'reaction_added', user: 'U1', reaction: 'eyes', item: { type: 'message', channel: 'C1', ts: nextTs() }, event_ts: nextTs() });
      const second = envelope({ type: 'reaction_added', user: 'U2', reaction: 'tada', item: { type: 'message', channel: 'C1', ts: nextTs() }, event_ts: nextTs() });
      await postSigned(a, app, '', first).expect(200);
      await postSigned(b, app, '', second).expect(200);
      await postSigned(a, app, '', first, { retryNum: 1 }).expect(200);
      await postSigned(b, app, '', second, { retryNum: 1 }).expect(200);
      await until(() => settled(app.connectionId, 2), 'both events to be processed');
      const stored = await rows(app.connectionId);
      expect(stored).toHaveLength(2);
      expect(stored.map((r) => r.error)).toEqual(['unsupported event reaction_added', 'unsupported event reaction_added']);
      expect(new Set(stored.map((r) => r.dedupe_key)).size).toBe(2);
    });

    it('app_mention and message for the same (channel, ts) still collapse to one reply, with or without event_id', async () => {
      const ts = nextTs();
      const event = { user: 'U1', text: `<@${app.botUserId}> one answer`, ts, channel: 'CDEDUPE' };
      await postSigned(a, app, '', envelope({ type: 'app_mention', ...event })).expect(200);
      await postSigned(b, app, '', envelope({ type: 'message', channel_type: 'channel', ...event })).expect(200);
      await until(() => slack.callsTo('chat.postMessage').some((c) => (c.body as { channel: string }).channel === 'CDEDUPE'), 'the reply');
      expect((await rows(app.connectionId)).filter((r) => r.dedupe_key === `msg:CDEDUPE:${ts}`)).toHaveLength(1);
    });
  });
});

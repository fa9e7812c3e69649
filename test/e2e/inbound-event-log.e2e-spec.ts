import { DataSource } from 'typeorm';
import { ConnectionHealthService } from '../../src/connections/connection-health.service';
import { FakeOpenAiApi, FakeTelegramApi } from '../fakes';
import { connectTelegramBot, postUpdate, sentTexts, TelegramBotFixture, textUpdate } from '../factories/telegram';
import { Actor, memberOf, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

interface EventRow {
  id: string;
  status: string;
  error: string | null;
  attempts: number;
  dedupeKey: string;
  replyMessageId: string | null;
  payload?: unknown;
}

/**
 * The inbound event log (list, filters, payload by role), replay of failed and ignored events, the 24 h counts in a
 * connection's health, and POST …/test — against the fake Telegram Bot API and an OpenAI-compatible fake runtime.
 */
describe('inbound event log, replay, health counts and the connection test (e2e)', () => {
  let tg: FakeTelegramApi;
  let llm: FakeOpenAiApi;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let member: Actor;
  let admin: Actor;
  let other: Actor & { teamId: string };

  const connPath = (b: TelegramBotFixture, teamId = owner.teamId): string => `/v1/teams/${teamId}/agents/${b.agentId}/connections/${b.connectionId}`;
  const events = async (b: TelegramBotFixture, query = '', as: Actor = owner): Promise<EventRow[]> =>
    (await t.http().get(`${connPath(b)}/events${query}`).set(as.auth).expect(200)).body.data as EventRow[];
  const statuses = async (b: TelegramBotFixture): Promise<string[]> => (await events(b)).map((e) => e.status);
  const llmRuntime = (): Record<string, unknown> => ({ type: 'openai', baseUrl: `${llm.url}/v1`, model: 'm' });
  const chatNotFound = { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } };

  beforeAll(async () => {
    [tg, llm] = await Promise.all([new FakeTelegramApi().start(), new FakeOpenAiApi().start()]);
    llm.reply = (messages) => `answer to ${String((messages.at(-1) as { content: unknown }).content)}`;
    t = await createTestApp({
      env: {
        TELEGRAM_API_ROOT: tg.url,
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CONNECTION_HEALTH_INTERVAL_S: '0',
        CONNECTION_HEALTH_FAILURES: '1',
        INBOUND_SWEEP_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
      },
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Log');
    member = await memberOf(t, owner, owner.teamId, 'member');
    admin = await memberOf(t, owner, owner.teamId, 'admin');
    other = await ownerWithTeam(t, 'Other');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), llm.stop()]);
  });

  it('lists a connection’s events newest first with filters and pages; payloads only for owner/admin; other teams get 404', async () => {
    const bot = await connectTelegramBot(t, tg, owner);
    const first = textUpdate(101, 'first');
    await postUpdate(t, bot, first).expect(200);
    await until(async () => (await statuses(bot)).join() === 'done', 'first done');
    const second = textUpdate(101, 'second');
    await postUpdate(t, bot, second).expect(200);
    await until(async () => (await statuses(bot)).join() === 'done,done', 'both done');

    const all = await events(bot, '', member);
    expect(all.map((e) => e.dedupeKey)).toEqual([String(second.update_id), String(first.update_id)]); // newest first
    expect(all[1]).toMatchObject({ dedupeKey: String(first.update_id), status: 'done', error: null, attempts: 1, orderingKey: '101', platform: 'telegram' });
    expect(all[0].replyMessageId).toEqual(expect.any(String));
    for (const e of all) expect(e).not.toHaveProperty('payload');

    expect(await events(bot, '?status=failed')).toEqual([]);
    expect(await events(bot, '?status=done')).toHaveLength(2);
    expect(await events(bot, `?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect(await events(bot, `?until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toHaveLength(2);
    const page1 = await t.http().get(`${connPath(bot)}/events?limit=1`).set(owner.auth).expect(200);
    expect(page1.body.data.map((e: EventRow) => e.id)).toEqual([all[0].id]);
    const page2 = await t.http().get(`${connPath(bot)}/events?limit=1&cursor=${page1.body.nextCursor}`).set(owner.auth).expect(200);
    expect(page2.body).toEqual({ data: [expect.objectContaining({ id: all[1].id })], nextCursor: null });

    const bad = await t.http().get(`${connPath(bot)}/events?status=lost`).set(owner.auth).expect(400);
    expect(bad.text).toMatch(/status must be one of: received, processing, done, ignored, failed/);
    expect((await t.http().get(`${connPath(bot)}/events?cursor=abc`).set(owner.auth).expect(400)).text).toMatch(/cursor/);
    expect((await t.http().get(`${connPath(bot)}/events?since=yesterday`).set(owner.auth).expect(400)).text).toMatch(/since must be an ISO 8601/);

    // the payload: owner and admin, not members
    const detail = await t.http().get(`${connPath(bot)}/events/${all[1].id}`).set(owner.auth).expect(200);
    expect(detail.body).toMatchObject({ id: all[1].id, status: 'done', payload: first });
    await t.http().get(`${connPath(bot)}/events/${all[1].id}`).set(admin.auth).expect(200);
    await t.http().get(`${connPath(bot)}/events/${all[1].id}`).set(member.auth).expect(403);

    // another team (its own team id, or ours) and another connection's event: not found
    await t.http().get(`${connPath(bot, other.teamId)}/events`).set(other.auth).expect(404);
    await t.http().get(`${connPath(bot, other.teamId)}/events/${all[1].id}`).set(other.auth).expect(404);
    await t.http().get(`${connPath(bot)}/events`).set(other.auth).expect(404);
    const otherBot = await connectTelegramBot(t, tg, owner);
    await t.http().get(`${connPath(otherBot)}/events/${all[1].id}`).set(owner.auth).expect(404);
    await t.http().post(`${connPath(otherBot)}/events/${all[1].id}/replay`).set(owner.auth).expect(404);
  });

  it('replays a failed event: the stored reply is resent and the agent is not asked again', async () => {
    const bot = await connectTelegramBot(t, tg, owner, { runtime: llmRuntime() });
    tg.failNext((c) => FakeTelegramApi.tokenOf(c) === bot.token && c.path.endsWith('/sendMessage'), chatNotFound);
    const llmBefore = llm.callsTo('chat.completions').length;
    await postUpdate(t, bot, textUpdate(202, 'hello')).expect(200);
    await until(async () => (await statuses(bot)).join() === 'failed', 'send failed permanently');
    const [failed] = await events(bot);
    expect(failed.error).toMatch(/chat not found/);
    expect(failed.replyMessageId).toEqual(expect.any(String));
    expect(llm.callsTo('chat.completions').length - llmBefore).toBe(1);
    expect(sentTexts(tg, 202)).toEqual(['answer to hello']); // the attempt the platform refused (the fake records it)

    await t.http().post(`${connPath(bot)}/events/${failed.id}/replay`).set(member.auth).expect(403);
    const replay = await t.http().post(`${connPath(bot)}/events/${failed.id}/replay`).set(owner.auth).expect(202);
    expect(replay.body).toMatchObject({ id: failed.id, status: 'received', attempts: 0, error: null, replyMessageId: failed.replyMessageId });

    await until(() => sentTexts(tg, 202).length === 2, 'the stored reply resent');
    expect(sentTexts(tg, 202)).toEqual(['answer to hello', 'answer to hello']);
    await until(async () => (await statuses(bot)).join() === 'done', 'replayed event done');
    expect(llm.callsTo('chat.completions').length - llmBefore).toBe(1); // the runtime was not called again
    const [done] = await events(bot);
    expect(done).toMatchObject({ id: failed.id, attempts: 1, error: null, replyMessageId: failed.replyMessageId });
    // one reply message in the conversation, not two
    const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM message WHERE conversation_id = (SELECT conversation_id FROM inbound_event WHERE id = $1) AND role = 'assistant'`, [
      failed.id,
    ])) as { n: number }[];
    expect(n).toBe(1);

    // done is final
    const again = await t.http().post(`${connPath(bot)}/events/${failed.id}/replay`).set(owner.auth).expect(409);
    expect(again.body.message).toMatch(/only failed or ignored events can be replayed; this event is done/);
  });

  it('replays an event ignored while the connection was paused, once it is resumed: the agent answers it', async () => {
    const bot = await connectTelegramBot(t, tg, owner);
    await t.http().patch(connPath(bot)).set(owner.auth).send({ status: 'paused' }).expect(200);
    await postUpdate(t, bot, textUpdate(303, 'while paused')).expect(200);
    const [ignored] = await events(bot);
    expect(ignored).toMatchObject({ status: 'ignored', error: 'the connection is paused', replyMessageId: null });

    const refused = await t.http().post(`${connPath(bot)}/events/${ignored.id}/replay`).set(owner.auth).expect(409);
    expect(refused.body.message).toMatch(/the connection is paused/);
    expect(sentTexts(tg, 303)).toEqual([]);

    await t.http().patch(connPath(bot)).set(owner.auth).send({ status: 'active' }).expect(200);
    await t.http().post(`${connPath(bot)}/events/${ignored.id}/replay`).set(admin.auth).expect(202);
    await until(() => sentTexts(tg, 303).length === 1, 'answered after replay');
    expect(sentTexts(tg, 303)).toEqual(['while paused']);
    await until(async () => (await statuses(bot)).join() === 'done', 'replayed event done');
  });

  it("the connection's health counts the last 24 h: done, failed (ignored in neither), and the rate", async () => {
    const bot = await connectTelegramBot(t, tg, owner);
    const health = async () => (await t.http().get(`${connPath(bot)}/health`).set(member.auth).expect(200)).body;
    expect(await health()).toMatchObject({ successCount: 0, errorCount: 0, successRate: null });

    await postUpdate(t, bot, textUpdate(404, 'one')).expect(200);
    await postUpdate(t, bot, textUpdate(404, 'two')).expect(200);
    await postUpdate(t, bot, textUpdate(404, 'three')).expect(200);
    await until(async () => (await statuses(bot)).join() === 'done,done,done', 'three done');
    tg.failNext((c) => FakeTelegramApi.tokenOf(c) === bot.token && c.path.endsWith('/sendMessage'), chatNotFound);
    await postUpdate(t, bot, textUpdate(404, 'four')).expect(200);
    await until(async () => (await statuses(bot))[0] === 'failed', 'fourth failed');
    await t.http().patch(connPath(bot)).set(owner.auth).send({ status: 'paused' }).expect(200);
    await postUpdate(t, bot, textUpdate(404, 'ignored')).expect(200);
    expect(await health()).toMatchObject({ successCount: 3, errorCount: 1, successRate: 0.75 });

    // an event received more than 24 h ago no longer counts
    await ds.query(
      `UPDATE inbound_event SET received_at = now() - interval '25 hours' WHERE id = (SELECT id FROM inbound_event WHERE connection_id = $1 AND status = 'done' ORDER BY seq LIMIT 1)`,
      [bot.connectionId],
    );
    expect(await health()).toMatchObject({ successCount: 2, errorCount: 1, successRate: 0.6667 });
  });

  it('POST …/test checks the credentials now: ok with the identity, a rejected token is ok=false, and a pass clears error', async () => {
    const bot = await connectTelegramBot(t, tg, owner);
    const ok = await t.http().post(`${connPath(bot)}/test`).set(admin.auth).expect(200);
    expect(ok.body).toEqual({ ok: true, status: 'active', identity: { externalBotId: String(bot.botId), displayName: `@${bot.username}`, info: expect.any(Object) } });
    expect(JSON.stringify(ok.body)).not.toContain(bot.token);
    await t.http().post(`${connPath(bot)}/test`).set(member.auth).expect(403);
    await t.http().post(`${connPath(bot, other.teamId)}/test`).set(other.auth).expect(404);

    // the platform rejects the token: a result, not an error, and nothing changes
    const revoked = (c: { path: string }): boolean => FakeTelegramApi.tokenOf(c as never) === bot.token && c.path.endsWith('/getMe');
    tg.failNext(revoked, { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    const bad = await t.http().post(`${connPath(bot)}/test`).set(owner.auth).expect(200);
    expect(bad.body).toEqual({ ok: false, status: 'active', error: expect.stringMatching(/^telegram rejected the credentials: .*Unauthorized/) });
    expect(JSON.stringify(bad.body)).not.toContain(bot.token);

    // a failed health check (CONNECTION_HEALTH_FAILURES=1) puts it in error; a passing test brings it back
    tg.failNext(revoked, { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    await t.app.get(ConnectionHealthService).runHealthChecks();
    const broken = await t.http().get(connPath(bot)).set(owner.auth).expect(200);
    expect(broken.body).toMatchObject({ status: 'error', errorMessage: expect.stringMatching(/health checks in a row failed/) });

    const fixed = await t.http().post(`${connPath(bot)}/test`).set(owner.auth).expect(200);
    expect(fixed.body).toMatchObject({ ok: true, status: 'active' });
    const after = await t.http().get(`${connPath(bot)}/health`).set(owner.auth).expect(200);
    expect(after.body).toMatchObject({ status: 'active', errorMessage: null, consecutiveFailures: 0 });
    expect(after.body.recentStatusChanges[0]).toMatchObject({ from: 'error', to: 'active', reason: 'the credentials test passed' });
    // the status change went through the outbox like any other (platform_connection.status_changed)
    const published = (await ds.query(`SELECT data FROM webhook_event WHERE type = 'platform_connection.status_changed' AND data->>'connection_id' = $1 ORDER BY created_at`, [
      bot.connectionId,
    ])) as { data: { from: string; to: string } }[];
    expect(published.at(-1)?.data).toMatchObject({ from: 'error', to: 'active' });
  });
});

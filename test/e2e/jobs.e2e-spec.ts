import { DataSource } from 'typeorm';
import { JobsScheduler } from '../../src/jobs/jobs.scheduler';
import { FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { lastUserText } from '../factories/runtime';
import { connectTelegramBot, sentTexts, TelegramBotFixture } from '../factories/telegram';
import { Actor, memberOf, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

/** Scheduled agent jobs through the API, run by this process's own worker side (ROLE=all). */
describe('scheduled agent jobs (e2e)', () => {
  let t: TestApp;
  let tg: FakeTelegramApi;
  let rx: FakeWebhookReceiver;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let other: Actor & { teamId: string };
  let bot: TelegramBotFixture;
  const jobs = (b: { agentId: string } = bot, teamId = owner.teamId) => `/v1/teams/${teamId}/agents/${b.agentId}/jobs`;
  const base = { name: 'Daily summary', schedule: '0 9 * * 1-5', timezone: 'Europe/Berlin', prompt: 'Summarize the day' };
  const events = (type: string) => rx.calls.filter((c) => c.path === '/events').map((c) => JSON.parse(c.rawBody)).filter((b) => b.type === type);
  const runOf = async (jobId: string, runId: string) => (await t.http().get(`${jobs()}/${jobId}/runs/${runId}`).set(owner.auth).expect(200)).body;

  beforeAll(async () => {
    [tg, rx] = await Promise.all([new FakeTelegramApi().start(), new FakeWebhookReceiver().start()]);
    rx.handler = (call) => (call.path.startsWith('/agent') ? { status: 200, body: { reply: `report for: ${lastUserText(call)}` } } : { status: 200, body: { ok: true } });
    t = await createTestApp({
      env: {
        TELEGRAM_API_ROOT: tg.url,
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CONNECTION_HEALTH_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
        AGENT_RETRY_DELAYS_MS: '50,50',
      },
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Jobs');
    other = await ownerWithTeam(t, 'Other');
    bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: rx.urlFor('/agent') } });
    await t.http().post(`/v1/teams/${owner.teamId}/webhooks`).set(owner.auth).send({ url: rx.urlFor('/events'), eventTypes: ['job.completed', 'job.failed'] }).expect(201);
  });

  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), rx.stop()]);
  });

  it('creates, lists, gets, updates and deletes a job; the next occurrence follows the schedule in its time zone', async () => {
    const created = await t.http().post(jobs()).set(owner.auth).send({ ...base, deliverTo: { connectionId: bot.connectionId, chatId: '777' } }).expect(201);
    expect(created.body).toMatchObject({ ...base, agentId: bot.agentId, teamId: owner.teamId, enabled: true, deliverTo: { connectionId: bot.connectionId, chatId: '777', threadId: null }, lastRunAt: null });
    const next = new Date(created.body.nextRunAt);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    // 09:00 in Berlin is 07:00 or 08:00 UTC, on a weekday
    expect([7, 8]).toContain(next.getUTCHours());
    expect(next.getUTCMinutes()).toBe(0);
    expect([1, 2, 3, 4, 5]).toContain(next.getUTCDay());

    const id = created.body.id as string;
    expect((await t.http().get(jobs()).set(owner.auth).expect(200)).body.data.map((j: { id: string }) => j.id)).toContain(id);
    const member = await memberOf(t, owner, owner.teamId, 'member');
    await t.http().get(`${jobs()}/${id}`).set(member.auth).expect(200);
    await t.http().patch(`${jobs()}/${id}`).set(member.auth).send({ enabled: false }).expect(403);
    await t.http().post(jobs()).set(member.auth).send(base).expect(403);

    const off = await t.http().patch(`${jobs()}/${id}`).set(owner.auth).send({ enabled: false, deliverTo: null, name: 'Renamed' }).expect(200);
    expect(off.body).toMatchObject({ enabled: false, nextRunAt: null, deliverTo: null, name: 'Renamed' });
    const on = await t.http().patch(`${jobs()}/${id}`).set(owner.auth).send({ enabled: true, schedule: '30 6 * * *', timezone: 'UTC' }).expect(200);
    expect(new Date(on.body.nextRunAt).toISOString()).toMatch(/T06:30:00\.000Z$/);

    // another team sees nothing
    await t.http().get(`${jobs(bot, other.teamId)}/${id}`).set(other.auth).expect(404);
    await t.http().get(`${jobs()}/${id}`).set(other.auth).expect(404);

    const audit = (await t.http().get(`/v1/teams/${owner.teamId}/audit-log?action=job.updated`).set(owner.auth).expect(200)).body.data;
    expect(audit.length).toBeGreaterThanOrEqual(2);
    expect(audit[0]).toMatchObject({ target: { type: 'job', id }, before: { enabled: false, name: 'Renamed' }, after: { enabled: true, schedule: '30 6 * * *' } });

    await t.http().delete(`${jobs()}/${id}`).set(owner.auth).expect(204);
    await t.http().get(`${jobs()}/${id}`).set(owner.auth).expect(404);
    await t.http().delete(`${jobs()}/${id}`).set(owner.auth).expect(404);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const otherBot = await connectTelegramBot(t, tg, other);
    for (const [body, field] of [
      [{ ...base, schedule: '* * *' }, 'schedule'],
      [{ ...base, schedule: '61 * * * *' }, 'schedule'],
      [{ ...base, schedule: 'every day' }, 'schedule'],
      [{ ...base, timezone: 'Mars/Olympus' }, 'timezone'],
      [{ ...base, timezone: '+02:00' }, 'timezone'],
      [{ ...base, prompt: '  ' }, 'prompt'],
      [{ ...base, name: undefined }, 'name'],
      [{ ...base, enabled: 'yes' }, 'enabled'],
      [{ ...base, deliverTo: { chatId: '1' } }, 'deliverTo.connectionId'],
      [{ ...base, deliverTo: { connectionId: otherBot.connectionId, chatId: '1' } }, 'deliverTo.connectionId'],
      [{ ...base, deliverTo: { connectionId: bot.connectionId } }, 'deliverTo.chatId'],
      [{ ...base, extra: 1 }, 'extra'],
    ] as [Record<string, unknown>, string][]) {
      const r = await t.http().post(jobs()).set(owner.auth).send(body).expect(400);
      expect(r.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const { body: job } = await t.http().post(jobs()).set(owner.auth).send({ ...base, enabled: false }).expect(201);
    const r = await t.http().patch(`${jobs()}/${job.id}`).set(owner.auth).send({ schedule: 'nope', timezone: 'Nowhere/Land' }).expect(400);
    expect(r.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['schedule', 'timezone']);
    await t.http().post(jobs({ agentId: otherBot.agentId })).set(owner.auth).send(base).expect(404);
  });

  it('run now: the reply goes to deliverTo, the run records it, and job.completed fires', async () => {
    const { body: job } = await t.http().post(jobs()).set(owner.auth).send({ ...base, enabled: false, deliverTo: { connectionId: bot.connectionId, chatId: '9001' } }).expect(201);
    const { body: run } = await t.http().post(`${jobs()}/${job.id}/run`).set(owner.auth).expect(202);
    expect(run).toMatchObject({ jobId: job.id, trigger: 'manual', status: 'pending' });
    await until(async () => (await runOf(job.id, run.id)).status === 'completed', 'the run to complete');
    const done = await runOf(job.id, run.id);
    expect(done).toMatchObject({ status: 'completed', reply: 'report for: Summarize the day', error: null, attempts: 1, deliveredMessageId: expect.any(String) });
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    expect(sentTexts(tg, 9001)).toEqual(['report for: Summarize the day']);

    // the delivered copy sits in the chat's conversation as the agent's message
    const [m] = (await ds.query(`SELECT m.role, m.content, c.external_chat_id FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.id = $1`, [done.deliveredMessageId])) as Record<string, unknown>[];
    expect(m).toEqual({ role: 'assistant', content: 'report for: Summarize the day', external_chat_id: '9001' });

    await until(() => events('job.completed').some((e) => e.data.run_id === run.id), 'job.completed');
    const ev = events('job.completed').find((e) => e.data.run_id === run.id);
    expect(ev.data).toMatchObject({ job_id: job.id, agent_id: bot.agentId, kind: 'manual', duration_ms: done.durationMs, reply_preview: 'report for: Summarize the day', delivered_message_id: done.deliveredMessageId });
    expect(typeof ev.data.completed_at).toBe('string');

    const list = await t.http().get(`${jobs()}/${job.id}/runs?status=completed`).set(owner.auth).expect(200);
    expect(list.body.data.map((r: { id: string }) => r.id)).toEqual([run.id]);
    await t.http().get(`${jobs()}/${job.id}/runs?status=nope`).set(owner.auth).expect(400);
  });

  it('a failing runtime: retried, then the run fails and job.failed fires; nothing is sent', async () => {
    const broken = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: rx.urlFor('/broken') } });
    rx.respondOn('/broken', 500, { error: 'boom' });
    const prev = rx.handler;
    rx.handler = undefined;
    rx.respondWith(200, { ok: true });
    try {
      const { body: job } = await t.http().post(jobs(broken)).set(owner.auth).send({ ...base, enabled: false, deliverTo: { connectionId: broken.connectionId, chatId: '9100' } }).expect(201);
      const { body: run } = await t.http().post(`${jobs(broken)}/${job.id}/run`).set(owner.auth).expect(202);
      await until(async () => events('job.failed').some((e) => e.data.run_id === run.id), 'job.failed');
      const ev = events('job.failed').find((e) => e.data.run_id === run.id);
      expect(ev.data).toMatchObject({ job_id: job.id, agent_id: broken.agentId, kind: 'manual', attempts: 3 });
      expect(ev.data.error).toMatch(/agent runtime failed: the agent URL answered 500/);
      const stored = (await t.http().get(`${jobs(broken)}/${job.id}/runs/${run.id}`).set(owner.auth).expect(200)).body;
      expect(stored).toMatchObject({ status: 'failed', attempts: 3, reply: null, deliveredMessageId: null });
      expect(rx.calls.filter((c) => c.path === '/broken')).toHaveLength(3);
      expect(sentTexts(tg, 9100)).toEqual([]);
    } finally {
      rx.handler = prev;
    }
  });

  it('a paused agent: run now answers 409', async () => {
    const paused = await connectTelegramBot(t, tg, owner);
    const { body: job } = await t.http().post(jobs(paused)).set(owner.auth).send({ ...base, enabled: false }).expect(201);
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${paused.agentId}`).set(owner.auth).send({ status: 'paused' }).expect(200);
    await t.http().post(`${jobs(paused)}/${job.id}/run`).set(owner.auth).expect(409);
    await t.http().post(`${jobs(paused)}/${job.id}/run`).set(other.auth).expect(404);
  });

  it("a paused agent's due occurrences wait, and run once when it is active again", async () => {
    const sleeper = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: rx.urlFor('/agent') } });
    const awake = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: rx.urlFor('/agent') } });
    const { body: p } = await t.http().post(jobs(sleeper)).set(owner.auth).send({ ...base, prompt: 'sleeper', schedule: '0 0 9 * * *', timezone: 'UTC' }).expect(201);
    const { body: a } = await t.http().post(jobs(awake)).set(owner.auth).send({ ...base, prompt: 'awake', schedule: '0 0 9 * * *', timezone: 'UTC' }).expect(201);
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${sleeper.agentId}`).set(owner.auth).send({ status: 'paused' }).expect(200);
    // both due since two days; the paused agent's first
    await ds.query(`UPDATE agent_job SET next_run_at = now() - interval '2 days' - interval '1 minute' WHERE id = $1`, [p.id]);
    await ds.query(`UPDATE agent_job SET next_run_at = now() - interval '2 days' WHERE id = $1`, [a.id]);
    const runs = async (jobId: string) => (await t.http().get(`${jobs(jobId === p.id ? sleeper : awake)}/${jobId}/runs`).set(owner.auth).expect(200)).body.data;
    await until(async () => (await runs(a.id)).length === 1, "the active agent's missed run");
    expect(await runs(p.id)).toEqual([]);
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${sleeper.agentId}`).set(owner.auth).send({ status: 'active' }).expect(200);
    await until(async () => (await runs(p.id)).some((r: { status: string }) => r.status === 'completed'), 'the run after resuming');
    expect(await runs(p.id)).toHaveLength(1);
  });

  it('a run whose worker died is failed after 30 minutes, with job.failed', async () => {
    const { body: job } = await t.http().post(jobs()).set(owner.auth).send({ ...base, enabled: false }).expect(201);
    const [row] = (await ds.query(
      `INSERT INTO agent_job_run (job_id, team_id, agent_id, scheduled_for, trigger, status, started_at)
       VALUES ($1, $2, $3, now() - interval '31 minutes', 'schedule', 'running', now() - interval '31 minutes') RETURNING id`,
      [job.id, owner.teamId, bot.agentId],
    )) as { id: string }[];
    await t.app.get(JobsScheduler).failStale();
    expect(await runOf(job.id, row.id)).toMatchObject({ status: 'failed', error: 'the worker running it stopped before it finished' });
    await until(() => events('job.failed').some((e) => e.data.run_id === row.id), 'job.failed for the stale run');
    expect(events('job.failed').find((e) => e.data.run_id === row.id).data).toMatchObject({ job_id: job.id, kind: 'scheduled' });
  });
});

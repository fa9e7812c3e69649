import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { lastUserText } from '../factories/runtime';
import { connectTelegramBot, sentTexts, TelegramBotFixture } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { run, startBuiltWorker, WorkerProcess } from '../utils/app-process';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const root = join(__dirname, '..', '..');

interface RunRow {
  id: string;
  status: string;
  scheduled_for: Date;
  trigger: string;
}

/**
 * Scheduled agent jobs across real worker processes: two `ROLE=worker` children of the compiled app share the test's
 * database; this process runs the API (ROLE=api, so it runs no job itself), the fake Telegram and the receiver that
 * plays both the agent's runtime and the team's webhook endpoint.
 */
describe('scheduled agent jobs across worker processes (e2e)', () => {
  const out = join(root, '.data', `test-build-jobs-w${process.env.JEST_WORKER_ID ?? '1'}`);
  let tg: FakeTelegramApi;
  let rx: FakeWebhookReceiver;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let bot: TelegramBotFixture;
  let missedJobId: string;
  let missedAt: Date;
  const workers: WorkerProcess[] = [];
  const jobs = () => `/v1/teams/${owner.teamId}/agents/${bot.agentId}/jobs`;
  const runsOf = async (jobId: string): Promise<RunRow[]> =>
    (await ds.query(`SELECT id, status, scheduled_for, trigger FROM agent_job_run WHERE job_id = $1 ORDER BY scheduled_for`, [jobId])) as RunRow[];
  const events = (type: string, jobId: string) =>
    rx.calls
      .filter((c) => c.path === '/events')
      .map((c) => JSON.parse(c.rawBody))
      .filter((b) => b.type === type && b.data.job_id === jobId);

  const startWorker = async (): Promise<void> => {
    const w = await startBuiltWorker(out, t, {
      TELEGRAM_API_ROOT: tg.url,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      CONNECTION_HEALTH_INTERVAL_S: '0',
      TELEGRAM_POLL_SCAN_MS: '0',
    });
    workers.push(w);
  };

  beforeAll(async () => {
    rmSync(out, { recursive: true, force: true });
    [tg, rx] = await Promise.all([new FakeTelegramApi().start(), new FakeWebhookReceiver().start()]);
    rx.handler = (call) => (call.path === '/agent' ? { status: 200, body: { reply: `done: ${lastUserText(call)}` } } : { status: 200, body: { ok: true } });
    const build = run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', out, '--incremental', 'false']);
    t = await createTestApp({ env: { ROLE: 'api', TELEGRAM_API_ROOT: tg.url, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', CONNECTION_HEALTH_INTERVAL_S: '0' } });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Job workers');
    bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: rx.urlFor('/agent') } });
    await t.http().post(`/v1/teams/${owner.teamId}/webhooks`).set(owner.auth).send({ url: rx.urlFor('/events'), eventTypes: ['job.completed', 'job.failed'] }).expect(201);

    // A daily job whose last three occurrences passed while no worker was running.
    const missed = await t.http().post(jobs()).set(owner.auth).send({ name: 'Daily', schedule: '0 0 9 * * *', timezone: 'UTC', prompt: 'missed report' }).expect(201);
    missedJobId = missed.body.id;
    missedAt = new Date(new Date(missed.body.nextRunAt).getTime() - 3 * 86_400_000);
    await ds.query(`UPDATE agent_job SET next_run_at = $2 WHERE id = $1`, [missedJobId, missedAt]);

    await build;
    await Promise.all([startWorker(), startWorker()]);
  }, 180_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await t.close();
    await Promise.all([tg.stop(), rx.stop()]);
    rmSync(out, { recursive: true, force: true });
  });

  it('occurrences missed while no worker ran run once at start, not once each', async () => {
    await until(async () => (await runsOf(missedJobId)).some((r) => r.status === 'completed'), 'the missed run', 30_000);
    const [{ next_run_at: next }] = (await ds.query(`SELECT next_run_at FROM agent_job WHERE id = $1`, [missedJobId])) as { next_run_at: Date }[];
    expect(next.getTime()).toBeGreaterThan(Date.now());
    const runs = await runsOf(missedJobId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'schedule', status: 'completed' });
    expect(runs[0].scheduled_for.toISOString()).toBe(missedAt.toISOString());
    expect(rx.calls.filter((c) => c.path === '/agent' && lastUserText(c) === 'missed report')).toHaveLength(1);
    await until(() => events('job.completed', missedJobId).length === 1, 'its job.completed');
  });

  it('a job every two seconds: two workers run each occurrence exactly once, deliver it, and job.completed arrives for each', async () => {
    const { body: job } = await t.http().post(jobs()).set(owner.auth).send({ name: 'Ticker', schedule: '*/2 * * * * *', timezone: 'UTC', prompt: 'tick report', deliverTo: { connectionId: bot.connectionId, chatId: '6000' } }).expect(201);
    await until(async () => (await runsOf(job.id)).filter((r) => r.status === 'completed').length >= 5, 'five completed runs', 60_000);
    await t.http().patch(`${jobs()}/${job.id}`).set(owner.auth).send({ enabled: false }).expect(200);
    await until(async () => (await runsOf(job.id)).every((r) => r.status === 'completed' || r.status === 'failed'), 'the runs in flight to end', 30_000);

    const runs = await runsOf(job.id);
    expect(runs.every((r) => r.status === 'completed' && r.trigger === 'schedule')).toBe(true);
    // each occurrence once: one run per occurrence, one runtime call and one Telegram message per run
    const occurrences = runs.map((r) => r.scheduled_for.getTime());
    expect(new Set(occurrences).size).toBe(runs.length);
    for (const at of occurrences) expect(at % 2000).toBe(0);
    expect(rx.calls.filter((c) => c.path === '/agent' && lastUserText(c) === 'tick report')).toHaveLength(runs.length);
    expect(sentTexts(tg, 6000)).toEqual(runs.map(() => 'done: tick report'));

    await until(() => events('job.completed', job.id).length === runs.length, 'job.completed for every run');
    const evs = events('job.completed', job.id);
    expect(new Set(evs.map((e) => e.data.run_id))).toEqual(new Set(runs.map((r) => r.id)));
    for (const e of evs) expect(e.data).toMatchObject({ agent_id: bot.agentId, kind: 'scheduled', job_name: 'Ticker', reply_preview: 'done: tick report' });
    expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
  });
});

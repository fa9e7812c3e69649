import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { lastUserText } from '../factories/runtime';
import { connectTelegramBot, postUpdate, sentTexts, textUpdate } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { run, startBuiltWorker, WorkerProcess } from '../utils/app-process';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const root = join(__dirname, '..', '..');


/**
 * Conversation leases across real worker processes: `ROLE=worker` children of the compiled app share the test's
 * database and BullMQ prefix; this process runs the API (ROLE=api) and the fake platform and runtime.
 */
describe('conversation leases across worker processes (e2e)', () => {
  const out = join(root, '.data', `test-build-leases-w${process.env.JEST_WORKER_ID ?? '1'}`);
  let tg: FakeTelegramApi;
  let runtime: FakeWebhookReceiver;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  const workers: WorkerProcess[] = [];

  const startWorker = async (): Promise<WorkerProcess> => {
    const w = await startBuiltWorker(out, t, {
      TELEGRAM_API_ROOT: tg.url,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      CONNECTION_HEALTH_INTERVAL_S: '0',
      TELEGRAM_POLL_SCAN_MS: '0',
      INBOUND_LEASE_S: '2',
      INBOUND_SWEEP_INTERVAL_S: '1',
      ENABLE_WEBHOOKS: 'false',
    });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    rmSync(out, { recursive: true, force: true });
    [tg, runtime] = await Promise.all([new FakeTelegramApi().start(), new FakeWebhookReceiver().start()]);
    const build = run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', out, '--incremental', 'false']);
    t = await createTestApp({ env: { ROLE: 'api', TELEGRAM_API_ROOT: tg.url, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', CONNECTION_HEALTH_INTERVAL_S: '0', ENABLE_WEBHOOKS: 'false' } });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Leases');
    await build;
    await startWorker();
    await startWorker();
  }, 180_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await t.close();
    await Promise.all([tg.stop(), runtime.stop()]);
    rmSync(out, { recursive: true, force: true });
  });

  it('keeps every chat strictly in order while two worker processes share the work', async () => {
    runtime.handler = async (call) => {
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 20)));
      return { status: 200, body: { reply: `re: ${lastUserText(call)}` } };
    };
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtime.urlFor('/order') } });
    const chats = Array.from({ length: 12 }, (_, i) => 5000 + i);
    for (let n = 1; n <= 8; n++) await Promise.all(chats.map((c) => postUpdate(t, bot, textUpdate(c, `c${c} m${n}`)).expect(200)));
    await until(() => chats.every((c) => sentTexts(tg, c).length === 8), '96 replies', 60_000);
    for (const c of chats) expect(sentTexts(tg, c)).toEqual(Array.from({ length: 8 }, (_, i) => `re: c${c} m${i + 1}`));
    // each event is settled just after its reply went out
    await until(async () => {
      const [{ done }] = await ds.query(`SELECT count(*)::int AS done FROM inbound_event WHERE connection_id = $1 AND status = 'done'`, [bot.connectionId]);
      return done === 96;
    }, 'all 96 events done');
    expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
  });

  it('a worker killed in the middle of an agent call: another one finishes the conversation once the lease expires, with one reply', async () => {
    runtime.handler = (call) => ({ status: 200, body: { reply: `answer to ${lastUserText(call)}` } });
    const release = runtime.hold('/killed');
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtime.urlFor('/killed') } });
    const calls = () => runtime.calls.filter((c) => c.path === '/killed').length;
    await postUpdate(t, bot, textUpdate(7001, 'are you there?')).expect(200);
    await until(() => calls() === 1, 'the agent call');

    // the holder of the conversation's lease is the process whose pid the lease names
    const [lease] = (await ds.query(`SELECT holder FROM conversation_lease WHERE key LIKE $1`, [`inbound:${bot.connectionId}:%`])) as { holder: string }[];
    const pid = Number(lease.holder.split(':')[1]);
    const victim = workers.find((w) => w.child.pid === pid);
    expect(victim).toBeDefined();
    victim?.child.kill('SIGKILL');
    await victim?.exited;
    release();

    await until(() => sentTexts(tg, 7001).length >= 1, 'the reply from the surviving worker', 30_000);
    await until(async () => {
      const [{ status }] = await ds.query(`SELECT status FROM inbound_event WHERE connection_id = $1`, [bot.connectionId]);
      return status === 'done';
    }, 'the event done');
    expect(sentTexts(tg, 7001)).toEqual(['answer to are you there?']);
    const msgs = (await ds.query(
      `SELECT m.role, m.content FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE c.connection_id = $1 ORDER BY m.seq`,
      [bot.connectionId],
    )) as { role: string; content: string }[];
    expect(msgs).toEqual([
      { role: 'user', content: 'are you there?' },
      { role: 'assistant', content: 'answer to are you there?' },
    ]);
    expect(calls()).toBe(2); // asked again because the first answer never came back; stored and sent once
  });
});

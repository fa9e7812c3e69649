import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { FakeSlackApi } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { connectSlackApp, eventEnvelope, nextTs } from '../factories/slack';
import { Actor, ownerWithTeam } from '../factories/users';
import { run, startBuiltWorker, WorkerProcess } from '../utils/app-process';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const root = join(__dirname, '..', '..');

type Worker = WorkerProcess;

/**
 * Socket Mode across real worker processes: two `ROLE=worker` children of the compiled app share the test's database;
 * this process runs the API (ROLE=api) and the fake Slack. One socket per connection, whichever worker holds it.
 */
describe('Slack Socket Mode across worker processes (e2e)', () => {
  const out = join(root, '.data', `test-build-slack-socket-w${process.env.JEST_WORKER_ID ?? '1'}`);
  let slack: FakeSlackApi;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  const workers: Worker[] = [];

  const startWorker = async (): Promise<WorkerProcess> => {
    const w = await startBuiltWorker(out, t, {
      SLACK_API_URL: `${slack.url}/api/`,
      SLACK_SOCKET_SCAN_MS: '200', // a socket lease lasts 3 s
      CONNECTION_HEALTH_INTERVAL_S: '0',
      TELEGRAM_POLL_SCAN_MS: '0',
      ENABLE_WEBHOOKS: 'false',
    }, 150_000);
    workers.push(w);
    return w;
  };

  const lease = async (connectionId: string): Promise<{ pid: number; expiresAt: number } | undefined> => {
    const [row] = (await ds.query(`SELECT holder, expires_at FROM slack_socket WHERE connection_id = $1 AND expires_at > now()`, [connectionId])) as { holder: string; expires_at: Date }[];
    return row ? { pid: Number(row.holder.split(':')[1]), expiresAt: row.expires_at.getTime() } : undefined;
  };
  const posts = (c: string): RecordedCall[] => slack.callsTo('chat.postMessage').filter((x) => (x.body as { channel: string }).channel === c);

  beforeAll(async () => {
    rmSync(out, { recursive: true, force: true });
    slack = await new FakeSlackApi().start();
    const build = run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', out, '--incremental', 'false']);
    t = await createTestApp({ env: { ROLE: 'api', SLACK_API_URL: `${slack.url}/api/`, CONNECTION_HEALTH_INTERVAL_S: '0', ENABLE_WEBHOOKS: 'false' } });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Socket workers');
    await build;
    await Promise.all([startWorker(), startWorker()]);
  }, 420_000); // the build takes minutes on a busy machine

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await t?.close(); // beforeAll may have failed before making them
    await slack?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it('one worker holds the socket while both run; killed, the other takes it over once the lease runs out, and answers', async () => {
    const app = await connectSlackApp(t, slack, owner, { socket: true });
    const appToken = app.appToken as string;
    await until(() => slack.openSockets(appToken).length === 1, 'a socket', 20_000);
    const first = await lease(app.connectionId);
    expect(workers.map((w) => w.child.pid)).toContain(first?.pid);

    // several scans of both workers go by (the holder renews its lease three times): still that one socket
    let renewals = 0;
    let last = first?.expiresAt ?? 0;
    await until(async () => {
      const now = await lease(app.connectionId);
      if (now && now.expiresAt > last) {
        renewals++;
        last = now.expiresAt;
      }
      return renewals >= 3;
    }, 'three renewals', 20_000);
    expect((await lease(app.connectionId))?.pid).toBe(first?.pid);
    expect(slack.sockets.filter((s) => s.appToken === appToken)).toHaveLength(1);

    const c1 = 'CWORK1';
    const e1 = slack.sendEnvelope(appToken, { type: 'events_api', payload: eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> first`, ts: nextTs(), channel: c1 }) });
    await until(() => slack.ackOf(e1) !== undefined && posts(c1).length === 1, 'the first reply', 20_000);

    const victim = workers.find((w) => w.child.pid === first?.pid) as Worker;
    victim.child.kill('SIGKILL');
    await victim.exited;
    await until(() => slack.openSockets(appToken).length === 1 && slack.sockets.filter((s) => s.appToken === appToken).length === 2, 'a socket from the other worker', 20_000).catch(
      async (e: Error) => {
        const survivor = workers.find((w) => w !== victim);
        const state = JSON.stringify({ sockets: slack.sockets.map((s) => ({ openedAt: s.openedAt, closedAt: s.closedAt })), lease: await lease(app.connectionId) });
        throw new Error(`${e.message}: ${state}\n${survivor?.logs().slice(-3000)}`);
      },
    );
    const second = await lease(app.connectionId);
    expect(second?.pid).not.toBe(first?.pid);
    expect(workers.map((w) => w.child.pid)).toContain(second?.pid);
    expect(slack.maxOpenSockets.get(appToken)).toBe(1);

    const c2 = 'CWORK2';
    const e2 = slack.sendEnvelope(appToken, { type: 'events_api', payload: eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> second`, ts: nextTs(), channel: c2 }) });
    await until(() => slack.ackOf(e2) !== undefined && posts(c2).length === 1, 'the reply from the other worker', 20_000);
    expect(posts(c2)[0].body).toMatchObject({ text: 'second' });
  }, 90_000);
});

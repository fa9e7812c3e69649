import { ChildProcess, execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { TEST_DB_PREFIX, dbUrl, withAdminClient } from '../setup/test-db';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

/**
 * The real thing, as an operator runs it: compiled code, `node dist/src/main.js`, a database that does not exist
 * yet, the CLI, and SIGTERM.
 */
describe('process (e2e)', () => {
  // inside the repo (git-ignored) so the compiled code resolves node_modules
  const out = join(root, '.data', `test-build-w${process.env.JEST_WORKER_ID ?? '1'}`);
  const dbName = `${TEST_DB_PREFIX}_proc_w${process.env.JEST_WORKER_ID ?? '1'}`;
  let env: NodeJS.ProcessEnv;

  const freePort = (): Promise<number> =>
    new Promise((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });

  const waitReady = async (port: number, child: ChildProcess, logs: () => string): Promise<void> => {
    for (let i = 0; i < 150; i++) {
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${logs()}`);
      try {
        const r = await request(`http://127.0.0.1:${port}/health/ready`);
        await r.body.dump();
        if (r.statusCode === 200) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`not ready: ${logs()}`);
  };

  const start = (extra: NodeJS.ProcessEnv): { child: ChildProcess; logs: () => string; exited: Promise<number | null> } => {
    const child = spawn(process.execPath, [join(out, 'src', 'main.js')], { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    child.stdout?.on('data', (d) => (buf += d));
    child.stderr?.on('data', (d) => (buf += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, logs: () => buf, exited };
  };

  beforeAll(async () => {
    rmSync(out, { recursive: true, force: true });
    await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', out, '--incremental', 'false']);
    await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
    env = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: dbUrl(dbName),
      JWT_SECRET: 'process-test-secret-0123456789abcdef0123456789',
      ENCRYPTION_KEYS: `p1:${Buffer.alloc(32, 3).toString('base64')}`,
      BULLMQ_PREFIX: `sbproc${process.pid}`,
      LOG_LEVEL: 'info',
    };
  }, 120_000);

  afterAll(async () => {
    await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
  });

  it('creates its database, migrates, serves, takes a CLI admin, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const app = start({ PORT: String(port), ROLE: 'all' });
    await waitReady(port, app.child, app.logs);
    expect(app.logs()).toContain('ran migrations');

    const cli = await run(process.execPath, [join(out, 'src', 'cli.js'), 'create-admin', '--email', 'ops@example.com', '--password', 'ops-password-1', '--team', 'Ops'], { env });
    expect(cli.stdout).toMatch(/created user ops@example.com .*owner of team "Ops"/);
    const again = await run(process.execPath, [join(out, 'src', 'cli.js'), 'create-admin', '--email', 'ops@example.com', '--password', 'other-password'], { env });
    expect(again.stdout).toContain('already exists');
    const rotate = await run(process.execPath, [join(out, 'src', 'cli.js'), 'keys:rotate'], { env });
    expect(rotate.stdout).toContain('rotating to key "p1"');
    expect(rotate.stdout).toMatch(/platform_connection\.credentials_encrypted: scanned 0, re-encrypted 0/);

    const login = await request(`http://127.0.0.1:${port}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.com', password: 'ops-password-1' }),
    });
    expect(login.statusCode).toBe(200);
    expect(((await login.body.json()) as { tokenType: string }).tokenType).toBe('Bearer');
    expect(app.logs()).not.toContain('ops-password-1');

    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  }, 60_000);

  it('ROLE=worker serves no HTTP and also exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const w = start({ PORT: String(port), ROLE: 'worker' });
    // wait for the boot to finish (a fixed sleep raced the worker's start-up on a busy machine)
    for (let i = 0; i < 150 && !w.logs().includes('started (ROLE=worker)') && w.child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    expect(w.logs()).toContain('started (ROLE=worker)');
    expect(w.child.exitCode).toBeNull();
    await expect(request(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
    w.child.kill('SIGTERM');
    const code = await w.exited;
    expect({ code, logs: code === 0 ? '' : w.logs() }).toEqual({ code: 0, logs: '' }); // on failure, show why
  }, 30_000);

  it('a bad variable stops startup with a message naming it', async () => {
    const bad = start({ PORT: 'eighty' });
    expect(await bad.exited).not.toBe(0);
    expect(bad.logs()).toContain('PORT');
  }, 30_000);

  it('the CLI explains its usage', async () => {
    await expect(run(process.execPath, [join(out, 'src', 'cli.js'), 'create-admin', '--email', 'x@example.com'], { env })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--password is required'),
    });
  }, 30_000);
});

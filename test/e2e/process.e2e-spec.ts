import { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { request } from 'undici';
import { BASE_DATABASE_URL, TEST_DB_PREFIX, dbUrl, markRunDatabase, withAdminClient } from '../setup/test-db';
import { copyProject, freePort, killStarted, removeProject, run, startMain } from '../utils/app-process';
import { until } from '../utils/wait';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };

/**
 * The real thing, as an operator runs it: a copy of the project built by its own build script, `node dist/src/main.js`,
 * a database that does not exist yet, `.env`, the CLI, startup failures, and SIGTERM.
 */
describe('process (e2e)', () => {
  const worker = process.env.JEST_WORKER_ID ?? '1';
  const dbName = `${TEST_DB_PREFIX}_proc_w${worker}`;
  let dir: string;
  let cli: string;
  let env: NodeJS.ProcessEnv;

  const waitReady = async (port: number, child: ChildProcess, logs: () => string): Promise<void> => {
    for (let i = 0; i < 300; i++) {
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

  /** Starts main.js expecting it to fail: its exit code and stderr's lines (stdout must stay empty). */
  const failure = async (extra: NodeJS.ProcessEnv): Promise<{ code: number | string | null; lines: string[]; stdout: string }> => {
    const p = startMain(dir, { ...env, ...extra });
    const code = await Promise.race([p.exited, new Promise<string>((r) => setTimeout(() => r('still running after 20 s'), 20_000).unref())]);
    return { code, lines: p.stderr().split('\n').filter(Boolean), stdout: p.stdout() };
  };

  beforeAll(async () => {
    dir = copyProject();
    await run(process.execPath, [join(dir, 'scripts', 'build.js')], { cwd: dir });
    cli = join(dir, 'dist', 'src', 'cli.js');
    await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
    env = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: dbUrl(dbName),
      JWT_SECRET: 'process-test-secret-0123456789abcdef0123456789',
      ENCRYPTION_KEYS: `p1:${Buffer.alloc(32, 3).toString('base64')}`,
      BULLMQ_PREFIX: `${TEST_DB_PREFIX}-proc${worker}`,
      LOG_LEVEL: 'info',
    };
  }, 180_000);

  afterEach(() => killStarted());

  afterAll(async () => {
    await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
    removeProject(dir);
  });

  it('creates its database, migrates, says where it listens, takes a CLI admin, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const app = startMain(dir, { ...env, PORT: String(port), ROLE: 'all' });
    await waitReady(port, app.child, app.logs);
    await withAdminClient((c) => markRunDatabase(c, dbName)); // the run's teardown drops it even if afterAll never runs
    expect(app.stdout()).toContain('ran migrations');
    // one line with the address; the framework's module and route lines stay below LOG_LEVEL=debug
    await until(() => app.stdout().includes('listening on'), 'the listening line');
    const listening = app.stdout().split('\n').filter((l) => l.includes('listening on'));
    expect(listening).toHaveLength(1);
    expect(JSON.parse(listening[0]).msg).toMatch(
      new RegExp(`^listening on http://localhost:${port} \\(role all, version ${version.replace(/\./g, '\\.')}, features on: webhooks, .*\\)$`),
    );
    expect(app.stdout()).not.toMatch(/InstanceLoader|RouterExplorer|RoutesResolver|Mapped \{/);
    expect(app.stdout().trim().split('\n').length).toBeLessThanOrEqual(3);

    const cliEnv = { ...env, PATH: process.env.PATH };
    const created = await run(process.execPath, [cli, 'create-admin', '--email', 'ops@example.com', '--password', 'ops-password-1', '--team', 'Ops'], { env: cliEnv, cwd: dir });
    expect(created.stdout).toMatch(/created user ops@example.com .*owner of team "Ops"/);
    const again = await run(process.execPath, [cli, 'create-admin', '--email', 'ops@example.com', '--password', 'other-password'], { env: cliEnv, cwd: dir });
    expect(again.stdout).toContain('already exists');
    const rotate = await run(process.execPath, [cli, 'keys:rotate'], { env: cliEnv, cwd: dir });
    expect(rotate.stdout).toContain('rotating to key "p1"');
    expect(rotate.stdout).toMatch(/platform_connection\.credentials_encrypted: scanned 0, re-encrypted 0/);
    // the CLI's changes are in the audit log, as the CLI's (the second create-admin changed nothing)
    const db = new Client({ connectionString: dbUrl(dbName) });
    await db.connect();
    const audited = (await db.query(`SELECT actor_type, action, after::text AS after FROM audit_event ORDER BY created_at`).finally(() => db.end())).rows;
    expect(audited.map((r: { actor_type: string; action: string }) => `${r.actor_type} ${r.action}`)).toEqual(['cli user.created', 'cli encryption_keys.rotated']);
    expect(JSON.stringify(audited)).not.toContain('ops-password-1');

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
  }, 90_000);

  it('ROLE=worker serves no HTTP, shows the framework lines at LOG_LEVEL=debug, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const w = startMain(dir, { ...env, PORT: String(port), ROLE: 'worker', LOG_LEVEL: 'debug' });
    // wait for the boot to finish (a fixed sleep raced the worker's start-up on a busy machine)
    await until(() => w.stdout().includes('running without HTTP') || w.child.exitCode !== null, 'the worker to start', 30_000);
    expect(w.stdout()).toContain(`running without HTTP (role worker, version ${version}, features on: `);
    expect(w.stdout()).toMatch(/"level":20,[^\n]*"context":"InstanceLoader"/);
    expect(w.child.exitCode).toBeNull();
    await expect(request(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
    w.child.kill('SIGTERM');
    const code = await w.exited;
    expect({ code, logs: code === 0 ? '' : w.logs() }).toEqual({ code: 0, logs: '' }); // on failure, show why
  }, 60_000);

  it('reports every bad variable at once, one line each, and exits 78', async () => {
    const r = await failure({ PORT: 'abc', ROLE: 'both', LOG_LEVEL: 'loud', NODE_ENV: 'production', JWT_SECRET: '', ENCRYPTION_KEYS: '', WEBHOOK_RETRY_SCHEDULE: '5,60' });
    expect(r).toEqual({
      code: 78,
      stdout: '',
      lines: [
        'PORT must be an integer number (got "abc")',
        'ROLE must be one of the following values: all, api, worker (got "both")',
        'LOG_LEVEL must be one of the following values: fatal, error, warn, info, debug, trace, silent (got "loud")',
        'JWT_SECRET is required when NODE_ENV=production',
        'ENCRYPTION_KEYS is required when NODE_ENV=production',
        'WEBHOOK_RETRY_SCHEDULE must start with 0 (the first attempt)',
      ],
    });
  }, 30_000);

  it('PostgreSQL unreachable: one line naming DATABASE_URL and the cause, exit 69 (main and CLI)', async () => {
    const closed = await freePort();
    const url = `postgres://postgres@127.0.0.1:${closed}/${dbName}`;
    const expected = `DATABASE_URL: cannot connect to 127.0.0.1:${closed} (connection refused)`;
    expect(await failure({ DATABASE_URL: url, PORT: '0' })).toEqual({ code: 69, stdout: '', lines: [expected] });
    await expect(run(process.execPath, [cli, 'keys:rotate'], { env: { ...env, DATABASE_URL: url }, cwd: dir })).rejects.toMatchObject({
      code: 69,
      stderr: `${expected}\n`,
    });
  }, 30_000);

  it('a role PostgreSQL refuses: one line naming DATABASE_URL and the server\'s reason, exit 78', async () => {
    const url = new URL(dbUrl(dbName));
    url.username = 'sb_no_such_role';
    url.password = '';
    const r = await failure({ DATABASE_URL: url.toString(), PORT: '0' });
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    expect(r.lines).toHaveLength(1);
    const at = `${new URL(BASE_DATABASE_URL).hostname}:${new URL(BASE_DATABASE_URL).port || '5432'}`;
    expect(r.lines[0]).toMatch(new RegExp(`^DATABASE_URL: PostgreSQL at ${at.replace(/\./g, '\\.')} refused the login \\(.*"sb_no_such_role".*\\)$`));
  }, 30_000);

  it('a busy PORT: one line, exit 75, before touching the database', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, resolve)); // all interfaces, as the app listens
    try {
      // an unreachable DATABASE_URL shows the port is checked first
      const r = await failure({ PORT: String(port), DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/x` });
      expect(r).toEqual({ code: 75, stdout: '', lines: [`PORT ${port} is already in use`] });
    } finally {
      holder.close();
    }
  }, 30_000);

  it('reads .env from the working directory; the process environment wins', async () => {
    writeFileSync(join(dir, '.env'), '# copied from .env.example\nROLE=both\nPORT=abc\nLOG_LEVEL="loud"\n');
    try {
      const r = await failure({ PORT: '0', LOG_LEVEL: 'info' });
      expect(r).toEqual({ code: 78, stdout: '', lines: ['ROLE must be one of the following values: all, api, worker (got "both")'] });
    } finally {
      unlinkSync(join(dir, '.env'));
    }
  }, 30_000);

  it('npm run cli runs the built CLI without rebuilding; it rebuilds (swapping dist/ in) only after a source changed', async () => {
    const npmRunCli = () => run('npm', ['run', '-s', 'cli', '--', '--help'], { cwd: dir, env: { ...env, PATH: process.env.PATH } });
    const marker = join(dir, 'dist', 'marker');
    writeFileSync(marker, 'this dist/ is the one built in beforeAll');

    const fresh = await npmRunCli();
    expect(fresh.stdout).toContain('usage: switchboard <command>');
    expect(fresh.stderr).not.toContain('building');
    expect(existsSync(marker)).toBe(true);

    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'src', 'cli.ts'), later, later);
    const rebuilt = await npmRunCli();
    expect(rebuilt.stderr).toContain('building dist/ (src changed since the last build)');
    expect(rebuilt.stdout).toContain('usage: switchboard <command>');
    expect(existsSync(marker)).toBe(false);
    // the package bin: executable, with a shebang, runs from dist/ without TypeScript
    expect(statSync(cli).mode & 0o111).not.toBe(0);
    expect((await run(cli, ['--help'], { env })).stdout).toContain('keys:rotate');
  }, 180_000);

  it('the CLI explains its usage', async () => {
    await expect(run(process.execPath, [cli, 'create-admin', '--email', 'x@example.com'], { env, cwd: dir })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--password is required'),
    });
  }, 30_000);
});

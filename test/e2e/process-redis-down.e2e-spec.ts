import { ChildProcess, execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { TEST_DB_PREFIX, dbUrl, withAdminClient } from '../setup/test-db';
import { freePort, TestRedisServer } from '../utils/redis-server';
import { until } from '../utils/wait';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const SHUTDOWN_TIMEOUT_MS = 5000;

interface Started {
  child: ChildProcess;
  logs: () => string;
  exited: Promise<{ code: number | null; at: number }>;
}

/** `node dist/src/main.js` (compiled here) with Redis unreachable: it starts, says so, serves, and stops on SIGTERM. */
describe('process with Redis unreachable (e2e)', () => {
  const out = join(root, '.data', `test-build-redis-w${process.env.JEST_WORKER_ID ?? '1'}`);
  const dbName = `${TEST_DB_PREFIX}_procredis_w${process.env.JEST_WORKER_ID ?? '1'}`;
  let env: NodeJS.ProcessEnv;

  const start = (extra: NodeJS.ProcessEnv): Started => {
    const child = spawn(process.execPath, [join(out, 'src', 'main.js')], { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    child.stdout?.on('data', (d) => (buf += d));
    child.stderr?.on('data', (d) => (buf += d));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: Date.now() })));
    return { child, logs: () => buf, exited };
  };

  const get = async (port: number, path: string): Promise<{ status: number; body: unknown } | null> => {
    try {
      const r = await request(`http://127.0.0.1:${port}${path}`, { headersTimeout: 5000 });
      return { status: r.statusCode, body: await r.body.json() };
    } catch {
      return null; // not listening yet
    }
  };

  /** SIGTERM, then the exit code and how long it took. */
  const stop = async (app: Started): Promise<{ code: number | null; ms: number; logs: string }> => {
    const sent = Date.now();
    app.child.kill('SIGTERM');
    const { code, at } = await app.exited;
    return { code, ms: at - sent, logs: code === 0 ? '' : app.logs() };
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
      BULLMQ_PREFIX: `sbprocredis${process.pid}`,
      LOG_LEVEL: 'info',
      ROLE: 'all',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    };
  }, 120_000);

  afterAll(async () => {
    await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
  });

  it('Redis down from the start: it starts, warns naming Redis, reports it in /health/ready, and exits 0 on SIGTERM', async () => {
    const [port, deadRedis] = await Promise.all([freePort(), freePort()]);
    const app = start({ PORT: String(port), REDIS_URL: `redis://127.0.0.1:${deadRedis}` });
    try {
      await until(async () => (await get(port, '/health/live'))?.status === 200 || app.child.exitCode !== null, 'the HTTP server', 60_000);
      expect(app.child.exitCode).toBeNull();
      await until(() => app.logs().includes(`Redis at 127.0.0.1:${deadRedis} is unreachable`), 'the startup warning naming Redis');
      expect(await get(port, '/health/ready')).toMatchObject({ status: 503, body: { status: 'error', info: { database: { status: 'up' } }, error: { redis: { status: 'down' } } } });
      expect(app.logs()).not.toContain('"stack"');
    } finally {
      const r = await stop(app);
      expect(r).toEqual({ code: 0, ms: expect.any(Number), logs: '' });
      expect(r.ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    }
  }, 90_000);

  it('Redis appearing after startup is picked up: ready turns 200 and the recovery is logged', async () => {
    const [port, redisPort] = await Promise.all([freePort(), freePort()]);
    const app = start({ PORT: String(port), REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    let redis: TestRedisServer | undefined;
    try {
      await until(() => app.logs().includes(`Redis at 127.0.0.1:${redisPort} is unreachable`) || app.child.exitCode !== null, 'the startup warning', 60_000);
      redis = await TestRedisServer.start(redisPort);
      await until(async () => (await get(port, '/health/ready'))?.status === 200, 'ready once Redis is up', 20_000);
      expect(app.logs()).toContain(`Redis at 127.0.0.1:${redisPort} is reachable again`);
    } finally {
      const r = await stop(app);
      await redis?.stop();
      expect(r).toEqual({ code: 0, ms: expect.any(Number), logs: '' });
    }
  }, 90_000);

  it('Redis killed while it runs (BullMQ connected, workers waiting): SIGTERM still exits 0 in time', async () => {
    const [port, redis] = await Promise.all([freePort(), TestRedisServer.start()]);
    const app = start({ PORT: String(port), REDIS_URL: redis.url });
    try {
      await until(async () => (await get(port, '/health/ready'))?.status === 200 || app.child.exitCode !== null, 'ready with Redis up', 60_000);
      expect(app.child.exitCode).toBeNull();
      await redis.stop();
      await until(() => app.logs().includes(`Redis at 127.0.0.1:${redis.port} is unreachable`), 'the outage warning');
    } finally {
      await redis.stop();
      const r = await stop(app);
      expect(r).toEqual({ code: 0, ms: expect.any(Number), logs: '' });
      expect(r.ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    }
  }, 90_000);
});

import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { LOG_DESTINATION } from '../../src/logging/logging.module';
import { LogCapture } from '../utils/log-capture';
import { TestRedisServer } from '../utils/redis-server';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const LIMIT = 3;
const email = (): string => `guess-${randomUUID().slice(0, 8)}@example.com`;

/** One wrong-password login; `forwardedFor` sets X-Forwarded-For. Resolves to the status code. */
async function attempt(t: TestApp, who: string, forwardedFor?: string): Promise<number> {
  const req = t.http().post('/v1/auth/login');
  if (forwardedFor !== undefined) req.set('X-Forwarded-For', forwardedFor);
  return (await req.send({ email: who, password: 'wrong-password' })).status;
}

describe('login limit: client address and shared counting (e2e)', () => {
  describe('without TRUST_PROXY (the default: no proxy is trusted)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { LOGIN_RATE_LIMIT: String(LIMIT) } });
    });
    afterAll(() => t.close());

    it('ignores X-Forwarded-For: a client rotating it from loopback still gets 429 after LOGIN_RATE_LIMIT attempts', async () => {
      const who = email();
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 2; i++) statuses.push(await attempt(t, who, `198.51.100.${i + 1}`));
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    });
  });

  describe('with TRUST_PROXY=loopback, 203.0.113.0/24 (a list with a named range and a subnet)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { LOGIN_RATE_LIMIT: String(LIMIT), TRUST_PROXY: 'loopback, 203.0.113.0/24' } });
    });
    afterAll(() => t.close());

    it('takes the client from X-Forwarded-For behind trusted proxies and counts each client apart', async () => {
      const who = email();
      // five different clients behind the proxy 203.0.113.9: none reaches the limit
      for (let i = 0; i < LIMIT + 2; i++) expect(await attempt(t, who, `198.51.100.${i + 1}, 203.0.113.9`)).toBe(401);
      // one client alone is limited, and that does not limit its neighbour
      const alone: number[] = [];
      for (let i = 0; i < LIMIT + 1; i++) alone.push(await attempt(t, who, '198.51.100.77, 203.0.113.9'));
      expect(alone).toEqual([401, 401, 401, 429]);
      expect(await attempt(t, who, '198.51.100.78, 203.0.113.9')).toBe(401);
    });

    it('does not believe an address an untrusted hop claims: the limit falls on that hop', async () => {
      const who = email();
      const statuses: number[] = [];
      // 192.0.2.1 is not a trusted proxy, so whatever it forwards is not believed
      for (let i = 0; i < LIMIT + 1; i++) statuses.push(await attempt(t, who, `198.51.100.${i + 1}, 192.0.2.1`));
      expect(statuses).toEqual([401, 401, 401, 429]);
    });
  });

  describe('two api instances on one Redis', () => {
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      a = await createTestApp({ env: { LOGIN_RATE_LIMIT: String(LIMIT + 1) } });
      b = await createTestApp({ env: { LOGIN_RATE_LIMIT: String(LIMIT + 1) }, reuseDatabase: true });
    });
    afterAll(async () => {
      await a.close();
      await b.close();
    });

    it('share one limit: attempts split across both are refused at the same total', async () => {
      const who = email();
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 1; i++) statuses.push(await attempt(i % 2 ? b : a, who));
      expect(statuses).toEqual([401, 401, 401, 401]);
      expect(await attempt(a, who)).toBe(429);
      expect(await attempt(b, who)).toBe(429);
    });
  });

  describe('while Redis is unreachable', () => {
    let redis: TestRedisServer;
    let t: TestApp;
    let logs: LogCapture;
    beforeAll(async () => {
      redis = await TestRedisServer.start();
      logs = new LogCapture();
      t = await createTestApp({
        env: { LOGIN_RATE_LIMIT: String(LIMIT), REDIS_URL: redis.url, ROLE: 'api', LOG_LEVEL: 'info' },
        override: (builder) => builder.overrideProvider(LOG_DESTINATION).useValue(logs),
      });
    });
    afterAll(async () => {
      await t.close();
      await redis.stop();
    });

    it('counts in Redis while it is there', async () => {
      const who = email();
      expect(await attempt(t, who)).toBe(401);
      const probe = new Redis(redis.url);
      try {
        expect(await probe.keys(`${t.config.redis.prefix}:login:*`)).not.toHaveLength(0);
      } finally {
        probe.disconnect();
      }
    });

    it('then answers promptly and still applies the in-process limit, with one warning', async () => {
      await redis.stop();
      const who = email();
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 2; i++) {
        const started = Date.now();
        statuses.push(await attempt(t, who));
        expect(Date.now() - started).toBeLessThan(1500);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      await until(() => /login limit/i.test(logs.text()), 'the fallback warning');
      const lines = logs.text().split('\n').filter((l) => /login limit/i.test(l));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toMatchObject({ level: 40 });
      expect(lines[0]).not.toMatch(/"stack"|\n\s+at /);
    });
  });
});

import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvSchema } from './env.schema';
import { ConfigError, loadConfig } from './load-config';

const KEY = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEYS: KEY };

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    expect(c.database.url).toBe('postgres://postgres@127.0.0.1:5432/switchboard');
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.port).toBe(3000);
    expect(c.role).toBe('all');
    expect(c.runsHttp && c.runsWorker).toBe(true);
    expect(c.database.migrationsRun).toBe(true);
    expect(c.database.poolIdleS).toBe(300);
    expect(c.inbound.retentionDays).toBe(30);
    expect(c.auth.jwtExpiresInSeconds).toBe(3600);
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
    expect(c.invitations.ttlHours).toBe(72);
    expect(c.trustProxy).toBe(false);
  });

  it.each([
    ['false', false],
    ['true', true],
    ['0', 0],
    ['2', 2],
    ['loopback', ['loopback']],
    [' loopback, 10.0.0.0/8 ,fd00::/8, 192.168.1.7, 172.16.0.0/255.240.0.0 ', ['loopback', '10.0.0.0/8', 'fd00::/8', '192.168.1.7', '172.16.0.0/255.240.0.0']],
  ])('reads TRUST_PROXY=%s as Express takes it', (value, expected) => {
    expect(loadConfig({ ...base, TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each([
    ['everyone', '"everyone"'],
    ['10.0.0.0/33', '"10.0.0.0/33"'],
    ['10.0.0.0/0', '"10.0.0.0/0"'],
    ['10.0.0.0/255.0.255.0', '"10.0.0.0/255.0.255.0"'],
    ['loopback,,10.0.0.1', 'an empty entry'],
    ['-1', '"-1"'],
  ])('names TRUST_PROXY and the bad entry in %s', (value, entry) => {
    const msg = problems({ ...base, TRUST_PROXY: value });
    expect(msg).toContain('TRUST_PROXY');
    expect(msg).toContain(entry);
  });

  it('converts types and roles', () => {
    const c = loadConfig({ ...base, PORT: '8080', ROLE: 'worker', MIGRATIONS_RUN: 'false', JWT_EXPIRES_IN: '15m', PUBLIC_BASE_URL: 'https://sb.example.com/' });
    expect(c).toMatchObject({ port: 8080, role: 'worker', publicBaseUrl: 'https://sb.example.com' });
    expect(c.runsHttp).toBe(false);
    expect(c.database.migrationsRun).toBe(false);
    expect(c.auth.jwtExpiresInSeconds).toBe(900);
    expect(loadConfig({ ...base, INVITATION_TTL_HOURS: '24' }).invitations.ttlHours).toBe(24);
  });

  it.each([
    ['PORT', 'abc'],
    ['ROLE', 'both'],
    ['DATABASE_URL', 'mysql://x/y'],
    ['REDIS_URL', 'not a url'],
    ['JWT_EXPIRES_IN', 'soon'],
    ['JWT_SECRET', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['MIGRATIONS_RUN', 'maybe'],
    ['INVITATION_TTL_HOURS', '0'],
    ['INVITATION_TTL_HOURS', '1.5'],
    ['INBOUND_RETENTION_DAYS', '6'],
  ])('names %s when it is bad', (name, value) => {
    expect(problems({ ...base, [name]: value })).toContain(name);
  });

  it('names the key id of an encryption key that is not 32 bytes, without printing it', () => {
    const short = Buffer.alloc(16, 9).toString('base64');
    const msg = problems({ ...base, ENCRYPTION_KEYS: `${KEY},old2:${short}` });
    expect(msg).toContain('old2');
    expect(msg).not.toContain(short);
  });

  it('requires secrets in production and names them', () => {
    const msg = problems({ NODE_ENV: 'production' });
    expect(msg).toContain('JWT_SECRET');
    expect(msg).toContain('ENCRYPTION_KEYS');
  });

  it('outside production generates missing secrets once into the data dir and reuses them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
    const first = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir });
    const second = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir });
    expect(first.auth.jwtSecret).toHaveLength(64);
    expect(second.auth.jwtSecret).toBe(first.auth.jwtSecret);
    expect(second.encryptionKeys).toBe(first.encryptionKeys);
    const file = JSON.parse(readFileSync(join(dir, 'dev-secrets.json'), 'utf8'));
    expect(Object.keys(file).sort()).toEqual(['ENCRYPTION_KEYS', 'JWT_SECRET']);
  });

  it('ADMIN_EMAIL and ADMIN_PASSWORD go together', () => {
    expect(problems({ ...base, ADMIN_EMAIL: 'a@example.com' })).toContain('ADMIN_PASSWORD');
    expect(loadConfig({ ...base, ADMIN_EMAIL: 'a@example.com', ADMIN_PASSWORD: 'long-enough' }).bootstrapAdmin).toEqual({
      email: 'a@example.com',
      password: 'long-enough',
      team: 'Default',
    });
  });

  it('reads the outbound webhook settings with their defaults', () => {
    expect(loadConfig(base).webhooks).toEqual({
      enabled: true,
      timeoutMs: 10000,
      retrySchedule: [0, 60, 300, 1800, 7200],
      secretOverlapSeconds: 86400,
      retentionDays: 30,
      concurrency: 100,
      endpointConcurrency: 32,
      batchSize: 500,
      pollIntervalMs: 1000,
      sweepIntervalSeconds: 30,
    });
    const c = loadConfig({ ...base, ENABLE_WEBHOOKS: 'false', WEBHOOK_RETRY_SCHEDULE: '0,0.5,2', WEBHOOK_CONCURRENCY: '4' });
    expect(c.webhooks).toMatchObject({ enabled: false, retrySchedule: [0, 0.5, 2], concurrency: 4 });
  });

  it('ENABLE_INTEGRATIONS defaults to true and reads false', () => {
    expect(loadConfig(base).integrations).toEqual({ enabled: true });
    expect(loadConfig({ ...base, ENABLE_INTEGRATIONS: 'false' }).integrations).toEqual({ enabled: false });
  });

  it('rejects a bad retry schedule naming the variable', () => {
    expect(problems({ ...base, WEBHOOK_RETRY_SCHEDULE: '5,60' })).toContain('WEBHOOK_RETRY_SCHEDULE must start with 0');
    expect(problems({ ...base, WEBHOOK_TIMEOUT_MS: '10' })).toContain('WEBHOOK_TIMEOUT_MS');
    expect(problems({ ...base, WEBHOOK_ENDPOINT_CONCURRENCY: '0' })).toContain('WEBHOOK_ENDPOINT_CONCURRENCY');
    expect(problems({ ...base, WEBHOOK_POLL_INTERVAL_MS: '1' })).toContain('WEBHOOK_POLL_INTERVAL_MS');
  });

  it('reports every bad variable at once, one message each, with the value unless it may be secret', () => {
    const e = (() => {
      try {
        loadConfig({ NODE_ENV: 'production', PORT: 'abc', ROLE: 'both', REDIS_URL: 'redis//user:pw@host', JWT_EXPIRES_IN: 'soon', ADMIN_EMAIL: 'a@example.com' });
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.exitCode).toBe(78);
    expect(e.problems).toEqual([
      'PORT must be an integer number (got "abc")',
      'ROLE must be one of the following values: all, api, worker (got "both")',
      'REDIS_URL must be a redis:// or rediss:// URL',
      'JWT_EXPIRES_IN must be seconds or a number with s, m, h or d (e.g. 3600, 15m, 1h) (got "soon")',
      'JWT_SECRET is required when NODE_ENV=production',
      'ENCRYPTION_KEYS is required when NODE_ENV=production',
      'ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
    ]);
    expect(e.message).not.toContain('pw');
  });

  it('names a number out of range once', () => {
    expect(problems({ ...base, PORT: '70000' })).toBe('PORT must not be greater than 65535 (got "70000")');
  });

  it('LOG_FORMAT is auto, json or pretty', () => {
    expect(loadConfig(base).logFormat).toBe('auto');
    expect(loadConfig({ ...base, LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(problems({ ...base, LOG_FORMAT: 'xml' })).toContain('LOG_FORMAT');
  });

  describe('documentation lists every variable of the schema', () => {
    const variables = [...new Set(getMetadataStorage().getTargetValidationMetadatas(EnvSchema, '', true, false).map((m) => m.propertyName))];
    const root = join(__dirname, '..', '..');

    it('has the variables', () => expect(variables.length).toBeGreaterThan(40));

    it('.env.example (set or commented out)', () => {
      const example = readFileSync(join(root, '.env.example'), 'utf8');
      const listed = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
      expect(variables.filter((v) => !listed.has(v))).toEqual([]);
    });

    it("README's configuration table", () => {
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      expect(variables.filter((v) => !readme.includes(`\`${v}\``))).toEqual([]);
    });
  });
});

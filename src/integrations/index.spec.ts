import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BODY_ROUTES } from '../common/body-parsers';
import { loadConfig } from '../config/load-config';
import { declaredVariables } from '../config/platform-config';
import { GITHUB_CONFIG } from './github/github.config';
import { SLACK_CONFIG } from './slack/slack.config';
import { TELEGRAM_CONFIG } from './telegram/telegram.config';
import { PLATFORM_CONFIGS, PLATFORMS, platformBodyRoutes, platformFeatures, platformRedactPaths } from '.';

describe('platform registration (src/integrations/index.ts)', () => {
  it('every platform declares its secret headers and credential fields, and they become log redaction paths', () => {
    const paths = platformRedactPaths();
    for (const p of PLATFORMS) {
      expect(p.secretHeaders.length + p.secretFields.length).toBeGreaterThan(0);
      for (const h of p.secretHeaders) expect(paths).toContain(`req.headers["${h}"]`);
      for (const f of p.secretFields) expect(paths).toContain(`*.${f}`);
    }
    expect(paths).toEqual(expect.arrayContaining(['req.headers["x-telegram-bot-api-secret-token"]', 'req.headers["x-hub-signature-256"]', '*.signingSecret', '*.privateKey']));
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('a platform with larger webhook bodies gets its own body rule, ahead of the common /webhooks/ rule', () => {
    const routes = [...platformBodyRoutes(), ...BODY_ROUTES];
    const ruleOf = (path: string) => routes.find((r) => path.startsWith(r.prefix));
    expect(ruleOf('/webhooks/github/abc')).toMatchObject({ limitBytes: 25 * 1024 * 1024, form: true, acceptsNul: true });
    expect(ruleOf('/webhooks/slack/abc')).toMatchObject({ prefix: '/webhooks/', limitBytes: 1024 * 1024 });
    expect(ruleOf('/v1/teams')).toMatchObject({ prefix: '/', acceptsNul: false });
  });

  it('platform names are unique', () => {
    const names = PLATFORMS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('platform variables (each platform’s <name>.config.ts)', () => {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
  const specs = PLATFORM_CONFIGS;

  it('every platform’s variables are validated by loadConfig and documented: README’s table with the default, .env.example', () => {
    expect(specs.map((s) => s.platform)).toEqual(PLATFORMS.filter((p) => p.config).map((p) => p.name));
    for (const spec of specs) {
      for (const [name, value] of Object.entries(declaredVariables(spec))) {
        expect(readme).toContain(`| \`${name}\` | \`${String(value)}\` |`);
        expect(example).toMatch(new RegExp(`^${name}=${String(value).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
      }
    }
  });

  it('the variables keep their names and defaults; no two platforms declare the same one', () => {
    const all = specs.flatMap((s) => Object.keys(declaredVariables(s)));
    expect(new Set(all).size).toBe(all.length);
    const c = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` }, specs);
    expect(c.platform(TELEGRAM_CONFIG)).toEqual({ apiRoot: 'https://api.telegram.org', polling: { scanIntervalMs: 5000, timeoutSeconds: 25 } });
    expect(c.platform(SLACK_CONFIG)).toEqual({ apiUrl: 'https://slack.com/api/', filesOrigin: 'https://files.slack.com', socket: { scanIntervalMs: 5000, leaseSeconds: 30 } });
    expect(c.platform(GITHUB_CONFIG)).toEqual({ apiUrl: 'https://api.github.com', retryAndThrottle: true });
  });

  it('the platforms’ worker features appear on the startup line only where their worker modules load', () => {
    const env = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` };
    expect(platformFeatures(loadConfig(env, specs))).toEqual(['telegram polling', 'slack socket mode']);
    expect(platformFeatures(loadConfig({ ...env, TELEGRAM_POLL_SCAN_MS: '0' }, specs))).toEqual(['slack socket mode']);
    expect(platformFeatures(loadConfig({ ...env, ROLE: 'api' }, specs))).toEqual([]);
    expect(platformFeatures(loadConfig({ ...env, ENABLE_INTEGRATIONS: 'false' }, specs))).toEqual([]);
  });
});

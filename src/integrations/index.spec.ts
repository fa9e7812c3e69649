import { BODY_ROUTES } from '../common/body-parsers';
import { PLATFORMS, platformBodyRoutes, platformRedactPaths } from '.';

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

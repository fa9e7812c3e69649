import { REDACTED, redactForAudit } from './redact';

describe('redactForAudit', () => {
  it('drops secret-named fields at any depth and replaces strings that carry a secret', () => {
    const out = redactForAudit({
      id: 'a',
      name: 'Support',
      credentials: { botToken: '123:abc' },
      nested: [{ signingSecret: 'x', ok: 1, password: 'p' }],
      apiKey: 'k',
      key: 'sb_abcdefghijklmnopqrstuvwxyz',
      acceptUrl: 'https://x/v1/invitations/sbinv_abcdefghijkl/accept',
      webhook: { url: 'https://example.com/hook', secret: 'whsec_abc' },
      when: new Date('2030-01-01T00:00:00.000Z'),
    });
    expect(out).toEqual({
      id: 'a',
      name: 'Support',
      nested: [{ ok: 1 }],
      acceptUrl: REDACTED,
      webhook: { url: 'https://example.com/hook' },
      when: '2030-01-01T00:00:00.000Z',
    });
  });

  it('keeps plain values', () => {
    expect(redactForAudit(['a', 1, true, null])).toEqual(['a', 1, true, null]);
    expect(redactForAudit(undefined)).toBeNull();
  });
});

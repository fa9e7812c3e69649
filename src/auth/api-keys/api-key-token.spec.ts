import { createHash } from 'node:crypto';
import { hashApiKey, isApiKeyToken, looksLikeApiKey, newApiKey } from './api-key-token';

describe('API keys', () => {
  it('are prefixed, 256-bit, distinct, hashed with SHA-256, and keep only a short display prefix', () => {
    const a = newApiKey();
    const b = newApiKey();
    expect(a.key).toMatch(/^sb_[A-Za-z0-9_-]{43}$/);
    expect(a.key).not.toBe(b.key);
    expect(a.hash).toBe(createHash('sha256').update(a.key).digest('hex'));
    expect(hashApiKey(a.key)).toBe(a.hash);
    expect(a.prefix).toBe(a.key.slice(0, 11));
  });

  it('recognizes only the key shape', () => {
    expect(looksLikeApiKey(newApiKey().key)).toBe(true);
    expect(isApiKeyToken('sb_x')).toBe(true);
    expect(isApiKeyToken('eyJhbGciOi')).toBe(false);
    for (const bad of ['', 'sb_', `sb_${'a'.repeat(42)}`, `sb_${'a'.repeat(44)}`, `sbinv_${'a'.repeat(43)}`]) {
      expect(looksLikeApiKey(bad)).toBe(false);
    }
  });
});

import { createHash } from 'node:crypto';
import { hashInvitationToken, looksLikeInvitationToken, newInvitationToken } from './invitation-token';

describe('invitation tokens', () => {
  it('are prefixed, 256-bit, distinct, and hashed with SHA-256', () => {
    const a = newInvitationToken();
    const b = newInvitationToken();
    expect(a.token).toMatch(/^sbinv_[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toBe(createHash('sha256').update(a.token).digest('hex'));
    expect(hashInvitationToken(a.token)).toBe(a.hash);
    expect(a.hash).not.toContain(a.token.slice(6));
  });

  it('recognizes only the token shape', () => {
    expect(looksLikeInvitationToken(newInvitationToken().token)).toBe(true);
    for (const bad of ['', 'sbinv_', `sbinv_${'a'.repeat(42)}`, `sbinv_${'a'.repeat(44)}`, `xxinv_${'a'.repeat(43)}`, `sbinv_${'a'.repeat(42)}/`]) {
      expect(looksLikeInvitationToken(bad)).toBe(false);
    }
  });
});

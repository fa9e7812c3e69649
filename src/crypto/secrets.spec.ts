import { constantTimeEqual, generateWebhookSecret, maskSecret, randomToken } from './secrets';

describe('secrets', () => {
  it('randomToken returns base64url of the requested size', () => {
    expect(randomToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(randomToken(16), 'base64url')).toHaveLength(16);
    expect(randomToken()).not.toBe(randomToken());
    expect(() => randomToken(0)).toThrow(RangeError);
  });

  it('generateWebhookSecret returns whsec_ + base64 of 32 bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('randomToken(36) is 48 characters of A-Za-z0-9_- (e.g. a Telegram secret_token)', () => {
    expect(randomToken(36)).toMatch(/^[A-Za-z0-9_-]{48}$/);
  });

  it('constantTimeEqual compares strings and buffers of any length', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', Buffer.from('abc'))).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
    expect(constantTimeEqual(Buffer.from([0]), Buffer.from([]))).toBe(false);
  });

  it('maskSecret shows only the last 4 chars of long values', () => {
    expect(maskSecret('whsec_abcdefghijklmnop')).toBe('…mnop');
    expect(maskSecret('123456789012')).toBe('…9012');
    expect(maskSecret('12345678901')).toBe('…');
    expect(maskSecret('')).toBe('…');
  });
});

import { randomBytes } from 'node:crypto';
import { CipherContext, CredentialCipher, DecryptionError, UnknownKeyError } from './credential-cipher';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const k3 = randomBytes(32).toString('base64');
const ctx: CipherContext = { table: 'platform_connections', rowId: 'row-1', field: 'credentials' };

/** Flips one character of the envelope part at `index` (2 = iv, 3 = tag, 4 = ciphertext). */
function tamper(envelope: string, index: number, at = 0): string {
  const parts = envelope.split('.');
  const chars = [...parts[index]];
  chars[at] = chars[at] === 'A' ? 'B' : 'A';
  parts[index] = chars.join('');
  return parts.join('.');
}

describe('CredentialCipher', () => {
  const cipher = CredentialCipher.fromSpec(`kid1:${k1}`);

  it('round-trips text, including empty and non-ASCII', () => {
    for (const text of ['xoxb-123-secret', '', 'ключ 🔑']) {
      expect(cipher.decrypt(cipher.encrypt(text, ctx), ctx)).toBe(text);
    }
  });

  it('round-trips JSON', () => {
    const value = { botToken: 'abc', nested: { n: 1, list: [true, null] } };
    expect(cipher.decryptJson<typeof value>(cipher.encryptJson(value, ctx), ctx)).toEqual(value);
  });

  it('produces a compact envelope that names its key and never contains the plaintext', () => {
    const env = cipher.encrypt('super-secret-token', ctx);
    expect(env).toMatch(/^v1\.kid1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(env).not.toContain('super-secret-token');
    expect(cipher.keyIdOf(env)).toBe('kid1');
  });

  it('uses a fresh IV per encryption', () => {
    const a = cipher.encrypt('same', ctx);
    const b = cipher.encrypt('same', ctx);
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it.each([
    ['iv', 2],
    ['tag', 3],
    ['ciphertext', 4],
  ])('rejects a tampered %s at every position', (_name, index) => {
    const env = cipher.encrypt('tamper me please', ctx);
    const length = env.split('.')[index].length;
    for (let at = 0; at < length; at++) {
      expect(() => cipher.decrypt(tamper(env, index, at), ctx)).toThrow(DecryptionError);
    }
  });

  it('rejects malformed envelopes with DecryptionError', () => {
    const env = cipher.encrypt('x', ctx);
    for (const bad of ['', 'v1', env.replace(/^v1/, 'v2'), `${env}.extra`, env.replace('.', '..'), env + '=']) {
      expect(() => cipher.decrypt(bad, ctx)).toThrow(DecryptionError);
    }
  });

  it('rejects a ciphertext moved to another row or field', () => {
    const env = cipher.encrypt('token', ctx);
    expect(() => cipher.decrypt(env, { ...ctx, rowId: 'row-2' })).toThrow(DecryptionError);
    expect(() => cipher.decrypt(env, { ...ctx, field: 'signing_secret' })).toThrow(DecryptionError);
    expect(() => cipher.decrypt(env, { ...ctx, table: 'webhook_endpoints' })).toThrow(DecryptionError);
  });

  it('does not confuse context parts that contain separators', () => {
    const env = cipher.encrypt('token', { table: 'a:b', rowId: 'c', field: 'd' });
    expect(() => cipher.decrypt(env, { table: 'a', rowId: 'b:c', field: 'd' })).toThrow(DecryptionError);
  });

  it('rejects an empty context part', () => {
    expect(() => cipher.encrypt('x', { ...ctx, rowId: '' })).toThrow('CipherContext.rowId must be a non-empty string');
  });

  it('error messages never contain plaintext', () => {
    const env = cipher.encryptJson('not-an-object-but-a-secret', ctx);
    const errors: unknown[] = [];
    for (const attempt of [
      () => cipher.decrypt(env, { ...ctx, rowId: 'other' }),
      () => cipher.decryptJson(cipher.encrypt('{not json secret', ctx), ctx),
    ]) {
      try {
        attempt();
      } catch (e) {
        errors.push(e);
      }
    }
    expect(errors).toHaveLength(2);
    for (const e of errors) {
      expect(e).toBeInstanceOf(DecryptionError);
      expect((e as DecryptionError).code).toBe('DECRYPT_FAILED');
      expect((e as Error).message).toBe('credentials could not be decrypted (tampered, or bound to another row)');
    }
  });

  it('rotates keys across a 3-key lifecycle', () => {
    const v1 = CredentialCipher.fromSpec(`kid1:${k1}`);
    const env1 = v1.encrypt('rotating secret', ctx);
    expect(v1.needsReencryption(env1)).toBe(false);

    const v2 = CredentialCipher.fromSpec(`kid2:${k2},kid1:${k1}`);
    expect(v2.activeKeyId).toBe('kid2');
    expect(v2.decrypt(env1, ctx)).toBe('rotating secret');
    expect(v2.needsReencryption(env1)).toBe(true);
    const env2 = v2.encrypt(v2.decrypt(env1, ctx), ctx);
    expect(v2.keyIdOf(env2)).toBe('kid2');
    expect(v2.needsReencryption(env2)).toBe(false);

    const v3 = CredentialCipher.fromSpec(`kid3:${k3},kid2:${k2}`);
    expect(v3.decrypt(env2, ctx)).toBe('rotating secret');
    expect(v3.needsReencryption(env2)).toBe(true);
    let caught: unknown;
    try {
      v3.decrypt(env1, ctx);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UnknownKeyError);
    expect((caught as UnknownKeyError).code).toBe('KEY_NOT_FOUND');
    expect((caught as UnknownKeyError).keyId).toBe('kid1');
    expect((caught as Error).message).toBe('encryption key "kid1" is not in ENCRYPTION_KEYS');
  });

  it('a different key under the same id fails authentication', () => {
    const other = CredentialCipher.fromSpec(`kid1:${k2}`);
    expect(() => other.decrypt(cipher.encrypt('x', ctx), ctx)).toThrow(DecryptionError);
  });
});

describe('CredentialCipher keyring', () => {
  it('the constructor rejects a keyring whose active key is missing', () => {
    expect(() => new CredentialCipher({ activeKeyId: 'nope', keys: new Map([['a', randomBytes(32)]]) })).toThrow(
      UnknownKeyError,
    );
  });
});

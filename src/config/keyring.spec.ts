import { randomBytes } from 'node:crypto';
import { parseKeyring } from './keyring';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');

describe('parseKeyring', () => {
  it('parses keys in order; the first is active', () => {
    const ring = parseKeyring(` kid2:${k2} , kid1:${k1}`);
    expect(ring.activeKeyId).toBe('kid2');
    expect([...ring.keys.keys()]).toEqual(['kid2', 'kid1']);
    expect(ring.keys.get('kid1')).toEqual(Buffer.from(k1, 'base64'));
  });

  it('accepts base64url keys', () => {
    const raw = randomBytes(32);
    expect(parseKeyring(`k:${raw.toString('base64url')}`).keys.get('k')).toEqual(raw);
  });

  it('names the key id, not the material, when a key has the wrong length', () => {
    const short = randomBytes(16).toString('base64');
    const run = () => parseKeyring(`kid1:${k1},kid2:${short}`);
    expect(run).toThrow('ENCRYPTION_KEYS: key "kid2" must be 32 bytes of base64 (got 16)');
    try {
      run();
    } catch (e) {
      expect((e as Error).message).not.toContain(short);
      expect((e as Error).message).not.toContain(k1);
    }
  });

  it.each([
    ['', 'ENCRYPTION_KEYS is empty'],
    ['   ', 'ENCRYPTION_KEYS is empty'],
    [`kid1${k1}`, 'entry 1 must look like "<key id>:<base64 key>"'],
    [`kid1:${k1},`, 'entry 2 must look like'],
    [`:${k1}`, 'entry 1 has an invalid key id'],
    [`bad id:${k1}`, 'entry 1 has an invalid key id'],
    [`${'x'.repeat(33)}:${k1}`, 'entry 1 has an invalid key id'],
    [`kid1:${k1},kid1:${k2}`, 'key id "kid1" appears more than once'],
    ['kid1:not*base64!', 'key "kid1" must be 32 bytes of base64 (not valid base64)'],
    ['kid1:', 'key "kid1" must be 32 bytes of base64'],
  ])('rejects %p', (spec, message) => {
    expect(() => parseKeyring(spec)).toThrow(message);
    try {
      parseKeyring(spec);
    } catch (e) {
      for (const key of [k1, k2]) expect((e as Error).message).not.toContain(key);
    }
  });
});

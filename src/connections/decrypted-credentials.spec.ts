import { DecryptedCredentials } from './decrypted-credentials';

describe('DecryptedCredentials', () => {
  it('answers only for the same row and the same ciphertext', () => {
    const kept = new DecryptedCredentials();
    kept.set('row-1', 'v1.k1.AAA', { botToken: 'one' });
    expect(kept.get('row-1', 'v1.k1.AAA')).toEqual({ botToken: 'one' });
    expect(kept.get('row-1', 'v1.k2.BBB')).toBeUndefined(); // new credentials or re-encrypted: decrypt again
    expect(kept.get('row-2', 'v1.k1.AAA')).toBeUndefined(); // a ciphertext copied onto another row is not trusted
  });

  it('hands out copies: a caller changing its object changes nothing kept', () => {
    const kept = new DecryptedCredentials();
    const original = { botToken: 'one' };
    kept.set('row-1', 'c', original);
    original.botToken = 'changed';
    const got = kept.get('row-1', 'c') as Record<string, string>;
    got.botToken = 'mutated';
    expect(kept.get('row-1', 'c')).toEqual({ botToken: 'one' });
  });

  it('keeps at most `max`, dropping the least recently used', () => {
    const kept = new DecryptedCredentials(2);
    kept.set('a', 'c', { t: 'a' });
    kept.set('b', 'c', { t: 'b' });
    kept.get('a', 'c'); // a used last
    kept.set('c', 'c', { t: 'c' });
    expect(kept.get('b', 'c')).toBeUndefined();
    expect(kept.get('a', 'c')).toEqual({ t: 'a' });
    expect(kept.get('c', 'c')).toEqual({ t: 'c' });
  });
});

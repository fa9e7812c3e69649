/** ENCRYPTION_KEYS, parsed at boot by loadConfig and again by CredentialCipher.fromSpec. */

export interface Keyring {
  /** Key used for new encryptions; the first key of ENCRYPTION_KEYS. */
  readonly activeKeyId: string;
  /** Every key that may decrypt, in ENCRYPTION_KEYS order. */
  readonly keys: ReadonlyMap<string, Buffer>;
}

export const KEY_BYTES = 32;
export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

/** Parses `"kid1:<base64 of 32 bytes>,kid2:<…>"`. Error messages never contain key material. */
export function parseKeyring(spec: string): Keyring {
  if (spec.trim() === '') {
    throw new Error('ENCRYPTION_KEYS is empty: expected "<key id>:<base64 of 32 bytes>[,…]"');
  }
  const entries = spec.split(',').map((e) => e.trim());
  const keys = new Map<string, Buffer>();
  entries.forEach((entry, index) => {
    const where = `ENCRYPTION_KEYS: entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw new Error(`${where} must look like "<key id>:<base64 key>"`);
    const id = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    // The id is not echoed when invalid: a misplaced separator could make it key material.
    if (!KEY_ID.test(id)) throw new Error(`${where} has an invalid key id (expected [A-Za-z0-9_-]{1,32})`);
    if (keys.has(id)) throw new Error(`ENCRYPTION_KEYS: key id "${id}" appears more than once`);
    if (!BASE64.test(material)) throw new Error(`ENCRYPTION_KEYS: key "${id}" must be 32 bytes of base64 (not valid base64)`);
    const key = Buffer.from(material, material.includes('-') || material.includes('_') ? 'base64url' : 'base64');
    if (key.length !== KEY_BYTES) {
      throw new Error(`ENCRYPTION_KEYS: key "${id}" must be 32 bytes of base64 (got ${key.length})`);
    }
    keys.set(id, key);
  });
  const [activeKeyId] = keys.keys();
  return { activeKeyId, keys };
}

import type { Credentials } from './platform-connector';

/**
 * The last `max` connections' decrypted credentials, kept by row id and ciphertext: every platform message needs its
 * connection's credentials, and decrypting them (AES-256-GCM, the envelope parsed) each time was ~4 % of a worker's
 * CPU. New credentials, or a re-encryption under another key, make a new ciphertext — never a stale answer. Callers
 * get their own copy.
 */
export class DecryptedCredentials {
  private readonly kept = new Map<string, Credentials>();

  constructor(private readonly max = 1000) {}

  get(rowId: string, ciphertext: string): Credentials | undefined {
    const key = `${rowId}:${ciphertext}`;
    const hit = this.kept.get(key);
    if (!hit) return undefined;
    this.kept.delete(key); // most recently used last
    this.kept.set(key, hit);
    return { ...hit };
  }

  set(rowId: string, ciphertext: string, credentials: Credentials): void {
    this.kept.set(`${rowId}:${ciphertext}`, { ...credentials });
    if (this.kept.size > this.max) this.kept.delete(this.kept.keys().next().value as string);
  }
}

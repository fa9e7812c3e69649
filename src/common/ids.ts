import { Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Randomness for identifiers, injected (CommonModule provides RandomIds): row ids, thread ids, process identities.
 * Secrets (tokens, signing keys, IVs) stay in src/crypto, always from the CSPRNG.
 */
export abstract class Ids {
  /** A random (v4) UUID. */
  abstract uuid(): string;
  /** `bytes` random bytes as lowercase hex (e.g. a short process tag). */
  abstract hex(bytes: number): string;
}

@Injectable()
export class RandomIds extends Ids {
  uuid(): string {
    return randomUUID();
  }
  hex(bytes: number): string {
    return randomBytes(bytes).toString('hex');
  }
}

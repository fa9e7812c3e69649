import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random bytes as base64url (no padding). */
export function randomToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 1) throw new RangeError('randomToken: bytes must be a positive integer');
  return randomBytes(bytes).toString('base64url');
}

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

// Per-process key: both sides are hashed to equal-length digests, so the comparison
// time depends on neither the content nor the lengths of the inputs.
const compareKey = randomBytes(32);

export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const digestA = createHmac('sha256', compareKey).update(a).digest();
  const digestB = createHmac('sha256', compareKey).update(b).digest();
  return timingSafeEqual(digestA, digestB);
}

/** `"…" + last 4 chars`; values shorter than 12 chars reveal nothing. */
export function maskSecret(value: string): string {
  return value.length < 12 ? '…' : `…${value.slice(-4)}`;
}

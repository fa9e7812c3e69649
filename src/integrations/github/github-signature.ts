import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../../crypto/secrets';

/** `sha256=<hex HMAC-SHA256 of the raw body>` — GitHub's X-Hub-Signature-256. Tests sign with this. */
export function signGitHubPayload(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Verifies over the exact bytes received (never re-serialized JSON), in constant time. */
export function verifyGitHubSignature(secret: string, rawBody: Buffer | string, header: string | undefined): boolean {
  if (!secret || !header || !header.startsWith('sha256=')) return false;
  return constantTimeEqual(signGitHubPayload(secret, rawBody), header);
}

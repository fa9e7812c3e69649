import { createHash } from 'node:crypto';
import type { Platform } from './entities/platform-connection.entity';

/** A fixed namespace (RFC 9562 name-based UUIDs) for connection ids. */
const NAMESPACE = Buffer.from('3f0d8c2e6b7a4e59a1c4d2b7e8f90a13', 'hex');

/**
 * The id of an agent's connection to a platform: a name-based UUID (version 5) of the agent and the platform. An agent
 * has at most one connection per platform, so the id — and the webhook URL built from it — is known before the
 * connection exists (a Slack app manifest can carry its Request URL) and stays the same when it is deleted and made again.
 */
export function connectionIdFor(agentId: string, platform: Platform): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${agentId.toLowerCase()}/${platform}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

import { Conflict, ValidationFailed, toDomainError } from '../common/errors';
import { maskSecret } from '../crypto/secrets';
import type { Platform } from './entities/platform-connection.entity';
import { Credentials, InvalidCredentialsError, PlatformConnector, PlatformRejectedError, PlatformUnavailableError } from './platform-connector';

// What ConnectionsService checks and calls on a connector while creating or changing a connection.

/** The connector's credential check; problems → 400 naming `credentials.<field>`. */
export function checkCredentials(connector: PlatformConnector, input: Record<string, unknown>, previous?: Credentials): Credentials {
  const r = connector.checkCredentials(input, previous);
  if ('problems' in r) throw new ValidationFailed(r.problems.flatMap((p) => p.messages).join('; '), r.problems);
  return r.credentials;
}

/** The connector's settings check; problems → 400 naming `settings.<field>`. */
export function checkSettings(connector: PlatformConnector, input: Record<string, unknown>): Record<string, unknown> {
  const r = connector.checkSettings(input);
  if ('problems' in r) throw new ValidationFailed(r.problems.flatMap((p) => p.messages).join('; '), r.problems);
  return r.settings;
}

/** What the API shows of the credentials: the connector's hint fields masked (`…abcd`), the others as `…`. */
export function credentialHintsFor(connector: PlatformConnector, credentials: Credentials): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(credentials)) if (typeof v === 'string') out[k] = connector.hintFields.includes(k) ? maskSecret(v) : '…';
  return out;
}

/** Calls the platform; its refusals become 422/502 DomainErrors (through the one mapping in common/errors.ts). */
export async function callPlatform<T>(connector: PlatformConnector, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof InvalidCredentialsError) throw toDomainError(e, `${connector.platform} rejected the credentials`);
    if (e instanceof PlatformRejectedError) throw toDomainError(e, `${connector.platform} refused the request`);
    if (e instanceof PlatformUnavailableError) throw toDomainError(e, `${connector.platform} could not be reached`);
    throw e;
  }
}

export function duplicateConnection(platform: Platform): Conflict {
  return new Conflict(`this agent already has a ${platform} connection; PATCH or DELETE it instead`);
}

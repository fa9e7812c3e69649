import type { PlatformConnection, Platform } from './entities/platform-connection.entity';

/** The platform rejected the credentials (→ 422 on create; counts as a failure in health checks). */
export class InvalidCredentialsError extends Error {
  readonly code = 'INVALID_CREDENTIALS';
}

/** The platform understood but refused the request for another reason, e.g. a webhook URL it will not accept (→ 422). */
export class PlatformRejectedError extends Error {
  readonly code = 'PLATFORM_REJECTED';
}

/** The platform could not be reached or answered 5xx (→ 502 on create). */
export class PlatformUnavailableError extends Error {
  readonly code = 'PLATFORM_UNAVAILABLE';
}

export type Credentials = Record<string, string>;

export interface PlatformIdentity {
  externalBotId: string;
  displayName: string;
  info: Record<string, unknown>;
}

/** Shown once, in the create (and credential-change) response: what the admin configures at the platform. */
export interface SetupInstructions {
  webhookUrl: string;
  [key: string]: unknown;
}

export interface CredentialProblem {
  field: string;
  messages: string[];
}

/**
 * One per platform (DESIGN §3). A platform is one folder under integrations/ plus one registration of this.
 * Every method that talks to the platform throws InvalidCredentialsError or PlatformUnavailableError, with messages
 * that never contain a credential.
 */
export interface PlatformConnector {
  readonly platform: Platform;
  /** Checks shape only (no network): returns problems naming `credentials.<field>`, or the normalized credentials. */
  checkCredentials(input: Record<string, unknown>, previous?: Credentials): { credentials: Credentials } | { problems: CredentialProblem[] };
  /** Checks and normalizes the non-secret settings; problems name `settings.<field>`. */
  checkSettings(input: Record<string, unknown>): { settings: Record<string, unknown> } | { problems: CredentialProblem[] };
  /** Asks the platform who these credentials are. */
  validateCredentials(credentials: Credentials): Promise<PlatformIdentity>;
  /** Registers delivery at the platform where it allows (Telegram setWebhook). Idempotent. */
  connect(connection: PlatformConnection, credentials: Credentials): Promise<void>;
  /** Undoes `connect` (Telegram deleteWebhook). */
  disconnect(connection: PlatformConnection, credentials: Credentials): Promise<void>;
  healthCheck(connection: PlatformConnection, credentials: Credentials): Promise<void>;
  setupInstructions(connection: PlatformConnection, credentials: Credentials, created: boolean): SetupInstructions;
  /** Credential fields whose masked hint is shown (e.g. botToken). */
  readonly hintFields: readonly string[];
}

/** Replaces every credential value found in a message (platform errors may echo a URL with a token). */
export function scrubSecrets(message: string, credentials: Credentials): string {
  let out = message;
  for (const v of Object.values(credentials)) if (typeof v === 'string' && v.length >= 6) out = out.split(v).join('[redacted]');
  return out;
}

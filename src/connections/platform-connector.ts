import { RaisedError } from '../common/errors';
import type { PlatformConnection, Platform } from './entities/platform-connection.entity';

// Connector errors map to DomainError codes (and so to statuses) in src/common/errors.ts: RAISED_ERROR_CODES.connector.

/** The platform rejected the credentials (→ 422 INVALID_CREDENTIALS; counts as a failure in health checks). */
export class InvalidCredentialsError extends RaisedError<'connector'> {
  readonly source = 'connector';
  readonly code = 'INVALID_CREDENTIALS';
}

/** The platform understood but refused the request for another reason, e.g. a webhook URL it will not accept (→ 422). */
export class PlatformRejectedError extends RaisedError<'connector'> {
  readonly source = 'connector';
  readonly code = 'PLATFORM_REJECTED';
}

/** The platform could not be reached or answered 5xx (→ 502 PLATFORM_UNAVAILABLE). */
export class PlatformUnavailableError extends RaisedError<'connector'> {
  readonly source = 'connector';
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
  webhookUrl?: string;
  [key: string]: unknown;
}

export type { CredentialProblem } from '../common/field-checker';
import type { CredentialProblem } from '../common/field-checker';

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

// ---- inbound pipeline (DESIGN §3) ----------------------------------------------------------------------------

export interface IncomingAttachment {
  kind: 'photo' | 'document' | 'voice' | 'audio' | 'video' | 'sticker' | 'other';
  fileId: string;
  mime?: string;
  size?: number;
  name?: string;
}

export interface IncomingSender {
  id: string;
  name?: string;
  username?: string;
  isBot?: boolean;
}

/** What a connector makes of a platform event that is meant for the agent. */
export interface IncomingMessage {
  connectionId: string;
  chatId: string;
  threadId?: string | null;
  sender: IncomingSender;
  text: string;
  attachments: IncomingAttachment[];
  command?: { name: string; args: string };
  externalMessageId?: string;
  /** Platform details the connector needs again when it replies (chat type, message to quote…). */
  context?: Record<string, unknown>;
  /** Merged into the conversation's metadata (e.g. a GitHub issue's priority). */
  conversationMetadata?: Record<string, unknown>;
}

export type ParsedEvent =
  | { kind: 'message'; message: IncomingMessage }
  | { kind: 'ignored'; reason: string }
  /** Not for the agent: record it and tell the team's endpoints (e.g. a GitHub push → `github.push`). */
  | { kind: 'publish'; type: string; data: Record<string, unknown> };

export interface OutgoingMessage {
  conversationId: string;
  chatId: string;
  threadId?: string | null;
  /** The agent's reply, Markdown; the connector formats it for its platform. */
  text: string;
  incoming: IncomingMessage;
  /**
   * For replies sent as several platform messages: how many parts an earlier attempt already delivered (skip them),
   * and a way to record each delivered part, so a retry after a 429 never sends a part twice.
   */
  progress: { delivered: number; markDelivered(parts: number): Promise<void> };
}

/** The platform asked us to wait (429): the event is retried after `delayMs`, later messages of its conversation wait. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/** Sending can never succeed (e.g. the user blocked the bot): no retries; the event fails with this reason. */
export class PermanentSendError extends Error {
  constructor(
    message: string,
    readonly conversationMetadata?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** A connection with its decrypted credentials: what every inbound connector method works on (loaded once per message). */
export interface ConnectorContext {
  connection: PlatformConnection;
  credentials: Credentials;
}

/** Implemented by connectors whose platform sends us events (all three). */
export interface InboundConnector {
  /** Turns a stored event's payload into a message for the agent, or says why it is ignored. */
  parse(payload: Record<string, unknown>, ctx: ConnectorContext): Promise<ParsedEvent> | ParsedEvent;
  /** Delivers the reply; throws RetryLaterError, PermanentSendError, InvalidCredentialsError or anything else (retried). */
  send(ctx: ConnectorContext, out: OutgoingMessage): Promise<{ externalMessageId?: string }>;
  /** Shows that the agent is working ("typing…", a reaction). Best effort. */
  startWorking?(ctx: ConnectorContext, incoming: IncomingMessage): Promise<void>;
  /** Undoes startWorking after the reply went out. Best effort. */
  stopWorking?(ctx: ConnectorContext, incoming: IncomingMessage): Promise<void>;
  /** A command the connector answers itself (e.g. Telegram /help); undefined passes it to the pipeline/agent. */
  commandReply?(ctx: { agentName: string; agentStatus: string; settings: Record<string, unknown>; command: { name: string; args: string } }): string | undefined;
}

export function isInboundConnector(c: PlatformConnector): c is PlatformConnector & InboundConnector {
  return typeof (c as Partial<InboundConnector>).parse === 'function' && typeof (c as Partial<InboundConnector>).send === 'function';
}

/** Replaces every credential value found in a message (platform errors may echo a URL with a token). */
export function scrubSecrets(message: string, credentials: Credentials): string {
  let out = message;
  for (const v of Object.values(credentials)) if (typeof v === 'string' && v.length >= 6) out = out.split(v).join('[redacted]');
  return out;
}

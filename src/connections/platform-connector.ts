import type { RuntimeAction } from '../agents/runtimes/runtime.types';
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
  /** For connections that keep a live link to the platform (Slack Socket Mode): how that link is now; undefined otherwise. */
  socketStatus?(connection: PlatformConnection): Promise<SocketStatus | undefined>;
}

/** A connection's live link to its platform (a WebSocket a worker holds open), as its health shows it. */
export interface SocketStatus {
  /** A worker holds the socket and it is connected right now. */
  connected: boolean;
  /** When `connected` last changed (null: no worker has held the socket yet). */
  since: Date | null;
  /** Why the last attempt to connect failed, until a socket connects again (never a secret). */
  lastError: string | null;
}

// ---- inbound pipeline (DESIGN §3) ----------------------------------------------------------------------------

export interface IncomingAttachment {
  kind: 'photo' | 'document' | 'voice' | 'audio' | 'video' | 'video_note' | 'sticker' | 'other';
  fileId: string;
  mime?: string;
  size?: number;
  name?: string;
  /** Seconds, where the platform tells (Telegram voice, audio, video notes; Slack audio clips). */
  duration?: number;
  /** Where the platform serves the file, when the event says (Slack `url_private`; downloaded with the bot token). */
  url?: string;
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
  /** Set when this message is a button click (the text then describes it): what the runtime gets as `action`. */
  action?: RuntimeAction;
}

/** A button click as the platform reported it; `token` is the opaque id we put in the button (see src/conversations/actions). */
export interface IncomingClick {
  connectionId: string;
  token: string;
  chatId: string;
  /** The platform message that carries the buttons. */
  messageId?: string;
  user: IncomingSender;
  /** What the connector needs to answer the click (Telegram callback query id, Slack channel…). */
  context?: Record<string, unknown>;
}

/** Buttons to put under a reply: each carries its opaque `token` (≤ 64 bytes), never the agent's action id. */
export interface OutgoingActions {
  buttons: { token: string; label: string; style?: 'primary' | 'danger' }[];
}

/** A sent message with buttons, to be edited when they are decided. */
export interface ActionMessageRef {
  chatId: string;
  threadId: string | null;
  messageId: string;
  /** The reply's Markdown (the connector formats it again and appends the outcome). */
  text: string;
}

export type ParsedEvent =
  | { kind: 'message'; message: IncomingMessage }
  | { kind: 'ignored'; reason: string }
  /** Not for the agent: record it and tell the team's endpoints (e.g. a GitHub push → `github.push`). */
  | { kind: 'publish'; type: string; data: Record<string, unknown> }
  /** A button click: resolved against the stored buttons (src/conversations/actions), then a turn for the agent. */
  | { kind: 'action'; click: IncomingClick };

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
  /**
   * The platform messages a streamed reply already shows, in order (their ids): the final, formatted text replaces
   * them (edits) instead of being sent anew; parts beyond them are sent, streamed messages beyond the parts removed.
   */
  streamed?: string[];
  /** Buttons under the reply (on its last part). */
  actions?: OutgoingActions;
}

/** Where a streamed reply goes. */
export interface ReplyTarget {
  chatId: string;
  threadId?: string | null;
  incoming: IncomingMessage;
}

/**
 * A reply shown while the runtime writes it (see README "Streamed replies"). Updates are best effort: at most one
 * platform call per second per chat, none while the platform asks us to wait (429), rolled into a new message before
 * the platform's limit. Never throws. The final text goes out through `send` with `streamed` set, like any reply.
 */
export interface ReplyStream {
  /** The whole reply text so far (Markdown). */
  update(textSoFar: string): void;
  /** Stops updating; resolves once no call is in flight, with the ids of the messages shown so far (in order). */
  close(): Promise<string[]>;
  /** The runtime failed: stops, and marks what was shown as interrupted (best effort). Resolves with the message ids. */
  abort(): Promise<string[]>;
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

/** A platform's request to `/webhooks/<platform>/:connectionId`, as the request guard hands it to the connector. */
export interface InboundRequest {
  /** The exact bytes received (signatures are computed over them, never over re-serialized JSON). */
  rawBody: Buffer;
  header(name: string): string | undefined;
}

/** Whether a request came from the platform; otherwise the 401's message (never a secret). */
export type RequestVerdict = { verified: true } | { verified: false; reason: string };

/** Implemented by connectors whose platform sends us events. */
export interface InboundConnector {
  /** The credential field the platform's requests are signed (or authenticated) with, e.g. a signing secret. */
  readonly requestSecretField: string;
  /**
   * Checks a request against the connection's secret, in constant time. An empty secret (credentials that cannot be
   * decrypted) verifies nothing.
   */
  verifyRequest(req: InboundRequest, secret: string): RequestVerdict;
  /** Turns a stored event's payload into a message for the agent, or says why it is ignored. */
  parse(payload: Record<string, unknown>, ctx: ConnectorContext): Promise<ParsedEvent> | ParsedEvent;
  /** Delivers the reply; throws RetryLaterError, PermanentSendError, InvalidCredentialsError or anything else (retried). */
  send(ctx: ConnectorContext, out: OutgoingMessage): Promise<{ externalMessageId?: string; actionsMessageId?: string }>;
  /** Opens a streamed reply to this chat; undefined when the chat cannot show one (e.g. a Slack response_url). */
  openStream?(ctx: ConnectorContext, target: ReplyTarget): ReplyStream | undefined;
  /**
   * Answers a click when the worker processes it: `text` is shown to the clicking user only (a refusal or a
   * confirmation). Best effort. Left out by connectors that answer at ingest (Telegram: TelegramClickAnswerer).
   */
  answerClick?(ctx: ConnectorContext, click: IncomingClick, text: string, refused: boolean): Promise<void>;
  /** Edits the message that carried buttons: the buttons go, `outcome` (who chose what, or "expired") is shown. */
  showActionOutcome?(ctx: ConnectorContext, ref: ActionMessageRef, outcome: string): Promise<void>;
  /** Shows that the agent is working ("typing…", a reaction). Best effort. */
  startWorking?(ctx: ConnectorContext, incoming: IncomingMessage): Promise<void>;
  /**
   * How long the platform shows one startWorking (Telegram's typing…: 5 s); while the agent works longer, the sign is
   * shown again before it fades. Left out when the sign stays until stopWorking (Slack's reaction).
   */
  readonly workingSignMs?: number;
  /** Undoes startWorking after the reply went out. Best effort. */
  stopWorking?(ctx: ConnectorContext, incoming: IncomingMessage): Promise<void>;
  /** A command the connector answers itself (e.g. Telegram /help); undefined passes it to the pipeline/agent. */
  commandReply?(ctx: { agentName: string; agentStatus: string; settings: Record<string, unknown>; command: { name: string; args: string } }): string | undefined;
}

export function isInboundConnector(c: PlatformConnector): c is PlatformConnector & InboundConnector {
  const i = c as Partial<InboundConnector>;
  return typeof i.parse === 'function' && typeof i.send === 'function' && typeof i.verifyRequest === 'function';
}

/** Replaces every credential value found in a message (platform errors may echo a URL with a token). */
export function scrubSecrets(message: string, credentials: Credentials): string {
  let out = message;
  for (const v of Object.values(credentials)) if (typeof v === 'string' && v.length >= 6) out = out.split(v).join('[redacted]');
  return out;
}

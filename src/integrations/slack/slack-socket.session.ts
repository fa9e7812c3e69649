import { Logger as NestLogger } from '@nestjs/common';
import { Logger as SlackLogger, LogLevel, SocketModeClient } from '@slack/socket-mode';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { InvalidCredentialsError, PlatformRejectedError } from '../../connections/platform-connector';
import { SlackEnvelope, SlackSlashCommand } from './slack-event';
import { SlackIngest } from './slack-ingest.service';
import { mapSlackError } from './slack-errors';

/** What a session needs from the manager that runs it. */
export interface SocketSessionHost {
  slackApiUrl: string;
  timeoutMs: number;
  ingest: SlackIngest;
  /** The current time in ms (the manager's Clock). */
  nowMs(): number;
  /** The connection as last loaded (the manager refreshes it every scan). */
  connection(): PlatformConnection;
  connected(connected: boolean, error?: string): Promise<void>;
  /** The app token was refused: the connection goes to `error` and the session ends. */
  refused(reason: string): Promise<void>;
}

/** An envelope as @slack/socket-mode hands it over (`slack_event`). */
interface SocketEvent {
  type: string;
  body?: Record<string, unknown>;
  envelope_id?: string;
  ack: (response?: Record<string, unknown>) => Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;

/** Closes a client's socket; a peer that never answers the close frame must not hold us (the library would wait 30 s). */
async function disconnect(client: SocketModeClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([client.disconnect().catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
  clearTimeout(timer);
}

/**
 * One Slack connection's Socket Mode link, held by this worker while it holds the lease: `apps.connections.open`,
 * the WebSocket, each envelope stored through the same ingest as the HTTP routes and then acknowledged (an envelope
 * that could not be stored is not acknowledged, so Slack sends it again), and a reconnect with back-off whenever the
 * socket closes (Slack's `disconnect` message, a dropped connection) or cannot be opened.
 */
export class SlackSocketSession {
  private readonly logger: NestLogger;
  private stopped = false;
  private client?: SocketModeClient;
  private wake?: () => void;
  private failures = 0;
  readonly done: Promise<void>;

  constructor(
    readonly connectionId: string,
    private readonly appToken: string,
    private readonly host: SocketSessionHost,
  ) {
    this.logger = new NestLogger(`SlackSocket ${connectionId}`);
    this.done = this.run().catch((e: unknown) => this.logger.error(`Socket Mode session ended: ${(e as Error).message}`));
  }

  /** The app token the socket was opened with (the manager restarts the session when it changes). */
  usesToken(appToken: string): boolean {
    return this.appToken === appToken;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.closeClient();
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let upMs = -1;
      try {
        upMs = await this.connectOnce();
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        const err = typeof code === 'string' && code.startsWith('slack_webapi_') ? mapSlackError(e) : new Error((e as Error).message);
        if (err instanceof InvalidCredentialsError || err instanceof PlatformRejectedError) {
          // Slack refused the app token (invalid, revoked, not an app-level token): retrying cannot help
          await this.host.refused(`Socket Mode apps.connections.open: ${err.message}`).catch(() => undefined);
          return;
        }
        this.logger.warn(`could not connect: ${err.message}`);
        await this.host.connected(false, `could not connect: ${err.message}`).catch(() => undefined);
      }
      if (this.stopped) return;
      // a socket that was up reconnects almost at once (Slack asks for that on `disconnect`) — after a second when it
      // lasted under 5 s, so a socket that keeps closing is not reopened in a tight loop; failures back off
      this.failures = upMs >= 0 ? 0 : this.failures + 1;
      const base = upMs >= 5000 ? 250 : upMs >= 0 ? 1000 : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.failures - 1));
      await this.sleep(base * (0.8 + Math.random() * 0.4));
    }
  }

  /** Opens one socket and waits until it closes; how long it was connected (it said hello), in ms. */
  private async connectOnce(): Promise<number> {
    const client = new SocketModeClient({
      appToken: this.appToken,
      autoReconnectEnabled: false, // the loop above reconnects, with back-off, while the lease is ours
      logger: this.slackLogger(),
      clientOptions: { slackApiUrl: this.host.slackApiUrl, timeout: this.host.timeoutMs, retryConfig: { retries: 0 } },
    });
    this.client = client;
    let abandoned = false;
    // a start given up on (stopped, or no hello in time) may still connect later: that socket is closed at once
    client.on('connected', () => {
      if (abandoned || this.stopped) void disconnect(client);
    });
    const closed = new Promise<void>((resolve) => client.on('disconnected', () => resolve()));
    client.on('slack_event', (e: SocketEvent) => void this.onEnvelope(e));
    let timer: NodeJS.Timeout | undefined;
    try {
      const hello = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no hello within ${this.host.timeoutMs} ms`)), this.host.timeoutMs);
      });
      await Promise.race([client.start(), hello]);
    } catch (e) {
      abandoned = true;
      await disconnect(client);
      throw e;
    } finally {
      clearTimeout(timer);
    }
    if (this.stopped) {
      await disconnect(client);
      return 0;
    }
    const connectedAt = this.host.nowMs();
    this.logger.log('Socket Mode connected');
    await this.host.connected(true).catch(() => undefined);
    await closed;
    if (this.client === client) this.client = undefined;
    if (!this.stopped) {
      this.logger.warn('Socket Mode socket closed; reconnecting');
      await this.host.connected(false, 'the socket closed; reconnecting').catch(() => undefined);
    }
    return this.host.nowMs() - connectedAt;
  }

  private async onEnvelope(e: SocketEvent): Promise<void> {
    if (!e.envelope_id) return;
    const connection = this.host.connection();
    try {
      const body = e.body ?? {};
      if (e.type === 'events_api') {
        await this.host.ingest.event(connection, body as unknown as SlackEnvelope);
        await e.ack();
      } else if (e.type === 'slash_commands') {
        await e.ack({ ...(await this.host.ingest.command(connection, body as unknown as Omit<SlackSlashCommand, 'type'>)) });
      } else if (e.type === 'interactive') {
        await this.host.ingest.interactive(connection, body);
        await e.ack();
      } else {
        await e.ack();
      }
    } catch (err) {
      // not acknowledged: Slack delivers the envelope again (the dedupe key makes that harmless)
      this.logger.warn(`envelope ${e.type} not stored: ${(err as Error).message}`);
    }
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await disconnect(client);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** The library's log lines, through ours: warnings and errors only (its debug lines carry payloads). */
  private slackLogger(): SlackLogger {
    const logger = this.logger;
    let level = LogLevel.WARN;
    return {
      debug: () => undefined,
      info: () => undefined,
      warn: (...msg: unknown[]) => logger.warn(msg.map(String).join(' ')),
      error: (...msg: unknown[]) => logger.warn(msg.map(String).join(' ')),
      setLevel: (l: LogLevel) => (level = l),
      getLevel: () => level,
      setName: () => undefined,
    };
  }
}

import { Injectable, OnModuleInit } from '@nestjs/common';
import { ConnectorRegistry } from '../../connections/connector-registry';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import {
  ActionMessageRef,
  ConnectorContext,
  CredentialProblem,
  Credentials,
  IncomingAttachment,
  IncomingClick,
  IncomingMessage,
  InboundConnector,
  InboundRequest,
  InvalidCredentialsError,
  OutgoingMessage,
  ParsedEvent,
  PermanentSendError,
  RetryLaterError,
  PlatformConnector,
  PlatformIdentity,
  ReplyStream,
  ReplyTarget,
  RequestVerdict,
  SetupInstructions,
  SocketStatus,
} from '../../connections/platform-connector';
import { ValidationFailed } from '../../common/errors';
import { PacedReplyStream, replaceStreamed } from '../../connections/streaming/paced-reply-stream';
import { FieldChecker } from '../../common/field-checker';
import { AppConfig } from '../../config/app-config';
import { OutboundHttpClient } from '../../http/outbound-http-client';
import { parseRetryAfter } from '../../http/retry-after';
import { SlackApiFactory } from './slack-api.factory';
import { chunkMrkdwn, markdownToMrkdwn } from './slack-format';
import { parseSlackPayload, SlackPayload } from './slack-event';
import { slackSetup } from './slack-manifest';
import { SlackSocketRepository } from './slack-socket.repository';

/** `http` (default): Slack posts events to our Request URL. `socket`: a worker holds a Socket Mode WebSocket (needs `appToken`). */
export type SlackMode = 'http' | 'socket';
const modeOf = (connection: PlatformConnection): SlackMode => (connection.settings.mode === 'socket' ? 'socket' : 'http');
import { downloadSlackFile } from './slack-files';
import { DownloadedFile, FileDownloader } from '../../connections/platform-files';
import { PlatformFileFetcher } from '../../http/platform-file-fetcher';
import { newSlackPacer, slackFinalOps, slackStreamOps } from './slack-stream';
import { verifySlackSignature } from './slack-signature';
import { actionsBlock, outcomeBlock, parseSlackInteraction, SlackBlockActions } from './slack-interaction';
import { Clock } from '../../common/clock';
import { mapSlackError, mapSlackSendError } from './slack-errors';
import { SLACK_CONFIG } from './slack.config';

@Injectable()
export class SlackConnector implements PlatformConnector, InboundConnector, FileDownloader, OnModuleInit {
  readonly platform = 'slack' as const;
  readonly hintFields = ['botToken', 'signingSecret', 'appToken'] as const;
  /** Streamed replies: one call per second per conversation (channel + thread), i.e. per streamed message. */
  private readonly pacer = newSlackPacer(() => this.clock.nowMs());
  readonly requestSecretField = 'signingSecret';

  constructor(
    private readonly registry: ConnectorRegistry,
    private readonly api: SlackApiFactory,
    private readonly http: OutboundHttpClient,
    private readonly config: AppConfig,
    private readonly sockets: SlackSocketRepository,
    private readonly files: PlatformFileFetcher,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  /** X-Slack-Signature (v0 HMAC of the timestamp and the raw body) with the app's signing secret, at most 5 minutes off. */
  verifyRequest(req: InboundRequest, secret: string): RequestVerdict {
    const ok =
      secret !== '' &&
      verifySlackSignature({
        signingSecret: secret,
        rawBody: req.rawBody.toString('utf8'),
        signature: req.header('x-slack-signature'),
        timestamp: req.header('x-slack-request-timestamp'),
      });
    return ok ? { verified: true } : { verified: false, reason: 'invalid or stale Slack signature' };
  }

  checkCredentials(input: Record<string, unknown>): { credentials: Credentials } | { problems: CredentialProblem[] } {
    const f = new FieldChecker('credentials', input, ['botToken', 'signingSecret', 'appToken']);
    const botToken = f.string('botToken', { required: true, pattern: /^xoxb-[A-Za-z0-9-]{10,}$/, hint: 'must be a bot token (xoxb-…)' });
    const signingSecret = f.string('signingSecret', { required: true, pattern: /^[A-Za-z0-9]{16,128}$/, hint: 'must be the app\'s Signing Secret (Basic Information page)' });
    const appToken = f.string('appToken', { pattern: /^xapp-[A-Za-z0-9-]{10,}$/, hint: 'must be an app-level token (xapp-…)' });
    if (f.problems.length || !botToken || !signingSecret) return { problems: f.problems };
    return { credentials: { botToken, signingSecret, ...(appToken ? { appToken } : {}) } };
  }

  checkSettings(input: Record<string, unknown>): { settings: Record<string, unknown> } | { problems: CredentialProblem[] } {
    const f = new FieldChecker('settings', input, ['mode']);
    const mode: SlackMode = f.oneOf('mode', ['http', 'socket'] as const) ?? 'http';
    return f.problems.length ? { problems: f.problems } : { settings: { mode } };
  }

  async validateCredentials(credentials: Credentials): Promise<PlatformIdentity> {
    const r = await this.call(() => this.api.client(credentials.botToken).auth.test());
    if (!r.bot_id || !r.user_id) throw new InvalidCredentialsError('the token is not a bot token (auth.test returned no bot_id)');
    return {
      externalBotId: r.bot_id,
      displayName: `@${r.user ?? 'bot'} in ${r.team ?? r.team_id}`,
      info: { botId: r.bot_id, botUserId: r.user_id, teamId: r.team_id, team: r.team, url: r.url, enterpriseId: r.enterprise_id ?? null },
    };
  }

  /**
   * Slack has no API to set the Events Request URL: the admin pastes it (see setupInstructions). In Socket Mode the
   * app-level token is required, and checked: `apps.connections.open` must accept it (the URL it returns is not used;
   * a worker opens its own).
   */
  async connect(connection: PlatformConnection, credentials: Credentials): Promise<void> {
    if (modeOf(connection) !== 'socket') return;
    if (!credentials.appToken) {
      const message = 'credentials.appToken (an app-level token, xapp-…, with the connections:write scope) is required with settings.mode "socket"';
      throw new ValidationFailed(message, [{ field: 'credentials.appToken', messages: [message] }]);
    }
    await this.call(() => this.api.client(credentials.appToken).apps.connections.open());
  }

  async disconnect(): Promise<void> {}

  async healthCheck(_connection: PlatformConnection, credentials: Credentials): Promise<void> {
    await this.call(() => this.api.client(credentials.botToken).auth.test());
  }

  setupInstructions(connection: PlatformConnection): SetupInstructions {
    const mode = modeOf(connection);
    const setup = slackSetup(connection.webhookUrl as string, connection.displayName?.replace(/^@/, '').split(' in ')[0] ?? '', mode);
    if (mode === 'http') return setup;
    const note =
      this.config.platform(SLACK_CONFIG).socket.scanIntervalMs > 0
        ? 'Socket Mode: a worker process (ROLE=worker or all) opens a WebSocket to Slack for this connection; no Request URL is needed. The connection\'s health shows whether the socket is connected.'
        : 'Socket Mode, but it is turned off on this deployment (SLACK_SOCKET_SCAN_MS=0): no events arrive until it is turned on.';
    return { ...setup, note };
  }

  async socketStatus(connection: PlatformConnection): Promise<SocketStatus | undefined> {
    return modeOf(connection) === 'socket' ? this.sockets.status(connection.id) : undefined;
  }

  // ---- inbound --------------------------------------------------------------------------------------------------

  parse(payload: Record<string, unknown>, { connection }: ConnectorContext): ParsedEvent {
    if (payload.type === 'block_actions') return parseSlackInteraction(payload as unknown as SlackBlockActions, connection.id);
    const info = connection.platformInfo as { botUserId?: string; botId?: string };
    return parseSlackPayload(payload as unknown as SlackPayload, { botUserId: String(info.botUserId), botId: String(info.botId) }, connection.id);
  }

  /** :eyes: on the user's message while the agent works. */
  async startWorking({ credentials }: ConnectorContext, incoming: IncomingMessage): Promise<void> {
    if (incoming.context?.slash || !incoming.externalMessageId) return;
    await this.api.client(credentials.botToken).reactions.add({ channel: incoming.chatId, timestamp: incoming.externalMessageId, name: 'eyes' });
  }

  async stopWorking({ credentials }: ConnectorContext, incoming: IncomingMessage): Promise<void> {
    if (incoming.context?.slash || !incoming.externalMessageId) return;
    await this.api.client(credentials.botToken).reactions.remove({ channel: incoming.chatId, timestamp: incoming.externalMessageId, name: 'eyes' });
  }

  /** Streamed replies: chat.postMessage, then chat.update at most once a second (see slack-stream.ts); not for slash commands. */
  openStream({ connection, credentials }: ConnectorContext, target: ReplyTarget): ReplyStream | undefined {
    if (typeof target.incoming.context?.responseUrl === 'string') return undefined;
    const key = `${connection.id}:${target.chatId}:${target.threadId ?? ''}`;
    return new PacedReplyStream(this.pacer, key, slackStreamOps(this.api.client(credentials.botToken), target), this.config.platforms.timeoutMs);
  }

  /** Markdown → mrkdwn sections (≤ 3000 chars each), in the thread; slash commands answer through their response_url. */
  async send({ connection, credentials }: ConnectorContext, out: OutgoingMessage): Promise<{ externalMessageId?: string; actionsMessageId?: string }> {
    const converted = chunkMrkdwn(markdownToMrkdwn(out.text || '…'));
    // Markdown that renders to nothing still gets a visible answer.
    const messages = converted.length ? converted : chunkMrkdwn('…');
    const paceKey = `${connection.id}:${out.chatId}:${out.threadId ?? ''}`;
    if (out.streamed?.length) return replaceStreamed(this.pacer, paceKey, messages, out, slackFinalOps(this.api.client(credentials.botToken), out, mapSlackSendError));
    await this.pacer.ready(paceKey); // a stream to this conversation may have just made a call
    const responseUrl = out.incoming.context?.responseUrl;
    let first: string | undefined;
    let last: string | undefined;
    for (const [i, m] of messages.entries()) {
      if (i < out.progress.delivered) continue;
      // buttons go under the last message
      const blocks = out.actions && i === messages.length - 1 ? [...m.blocks, actionsBlock(out.actions)] : m.blocks;
      if (typeof responseUrl === 'string') {
        await this.postToResponseUrl(responseUrl, { response_type: 'in_channel', text: m.text, blocks });
      } else {
        const threadTs = out.threadId && !out.threadId.startsWith('slash:') ? out.threadId : undefined;
        const r = await this.sendCall(() =>
          this.api.client(credentials.botToken).chat.postMessage({ channel: out.chatId, text: m.text, blocks, ...(threadTs ? { thread_ts: threadTs } : {}) }),
        );
        first ??= r.ts;
        last = r.ts;
      }
      await out.progress.markDelivered(i + 1);
    }
    return { externalMessageId: first, ...(out.actions && last ? { actionsMessageId: last } : {}) };
  }

  /** Only refusals are said (chat.postEphemeral to the clicking user); the acknowledgement is the 200 we answered. */
  async answerClick({ credentials }: ConnectorContext, click: IncomingClick, text: string, refused: boolean): Promise<void> {
    if (!refused) return;
    const threadTs = typeof click.context?.threadTs === 'string' ? click.context.threadTs : undefined;
    await this.api.client(credentials.botToken).chat.postEphemeral({ channel: click.chatId, user: click.user.id, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
  }

  /** chat.update: the last part of the reply without its buttons, and who chose what under it. */
  async showActionOutcome({ credentials }: ConnectorContext, ref: ActionMessageRef, outcome: string): Promise<void> {
    const chunks = chunkMrkdwn(markdownToMrkdwn(ref.text || '…'));
    const lastChunk = chunks[chunks.length - 1] ?? chunkMrkdwn('…')[0];
    await this.api.client(credentials.botToken).chat.update({ channel: ref.chatId, ts: ref.messageId, text: lastChunk.text, blocks: [...lastChunk.blocks, outcomeBlock(outcome)] });
  }

  /** A shared file (slack-files.ts): only from SLACK_FILES_URL's origin, with the bot token. */
  downloadFile({ credentials }: ConnectorContext, attachment: IncomingAttachment, maxBytes: number): Promise<DownloadedFile> {
    const deps = { fetcher: this.files, filesOrigin: this.config.platform(SLACK_CONFIG).filesOrigin, timeoutMs: this.config.platforms.timeoutMs };
    return downloadSlackFile(deps, credentials, attachment, maxBytes);
  }

  /**
   * The response_url comes from a slash-command payload, which anyone holding the signing secret can write: it is a
   * team-supplied URL, so it goes through the SSRF-checked client like webhooks and runtimes.
   */
  private async postToResponseUrl(url: string, body: Record<string, unknown>): Promise<void> {
    const res = await this.http.request({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: this.config.platforms.timeoutMs,
      maxResponseBytes: 1024,
    });
    if (!res.ok) {
      if (res.errorCode === 'SSRF_BLOCKED') throw new PermanentSendError('Slack response_url was not called: it resolves to a private or reserved address (SSRF_BLOCKED)');
      if (res.errorCode === 'INVALID_URL') throw new PermanentSendError('Slack response_url was not called: it is not an allowed URL (INVALID_URL)');
      throw new Error(`Slack response_url could not be reached (${res.errorCode})`);
    }
    if (res.status === 429) {
      throw new RetryLaterError('Slack response_url rate limited', Math.max(1, parseRetryAfter(res.headers['retry-after'], this.clock.now()) ?? 1) * 1000);
    }
    if (res.status >= 500) throw new Error(`Slack response_url answered ${res.status}`);
    if (res.status >= 400) throw new PermanentSendError(`Slack response_url refused the reply (${res.status}); it may have expired`);
  }

  private async sendCall<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapSlackSendError(e);
    }
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapSlackError(e);
    }
  }
}

import { Injectable, OnModuleInit } from '@nestjs/common';
import { createPrivateKey } from 'node:crypto';
import { ConnectorRegistry } from '../../connections/connector-registry';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import {
  ConnectorContext,
  CredentialProblem,
  Credentials,
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
  PlatformRejectedError,
  PlatformUnavailableError,
  RequestVerdict,
  SetupInstructions,
} from '../../connections/platform-connector';
import { generateWebhookSecret } from '../../crypto/secrets';
import { FieldChecker } from '../../common/field-checker';
import { GitHubClientFactory, isAppCredentials } from './github-client.factory';
import { ChangedFile, parseGitHubEvent, StoredGitHubEvent } from './github-event';
import { verifyGitHubSignature } from './github-signature';
import { Clock } from '../../common/clock';

export const GITHUB_EVENTS = ['issues', 'issue_comment', 'pull_request', 'push', 'release'] as const;
const REPO = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;

@Injectable()
export class GitHubConnector implements PlatformConnector, InboundConnector, OnModuleInit {
  readonly platform = 'github' as const;
  readonly hintFields = ['token', 'appId', 'installationId', 'webhookSecret'] as const;
  readonly requestSecretField = 'webhookSecret';

  constructor(
    private readonly registry: ConnectorRegistry,
    private readonly clients: GitHubClientFactory,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  /** X-Hub-Signature-256 (sha256 HMAC of the raw body) with the connection's webhook secret. */
  verifyRequest(req: InboundRequest, secret: string): RequestVerdict {
    if (verifyGitHubSignature(secret, req.rawBody, req.header('x-hub-signature-256'))) return { verified: true };
    return { verified: false, reason: 'invalid X-Hub-Signature-256' };
  }

  checkCredentials(input: Record<string, unknown>, previous?: Credentials): { credentials: Credentials } | { problems: CredentialProblem[] } {
    const f = new FieldChecker('credentials', input, ['token', 'appId', 'privateKey', 'installationId', 'webhookSecret']);
    const webhookSecret = f.string('webhookSecret', { min: 16, hint: 'must be at least 16 characters' });
    const usesApp = input.appId !== undefined || input.privateKey !== undefined || input.installationId !== undefined;
    let creds: Credentials = {};
    if (usesApp) {
      if (input.token !== undefined) f.fail('token', 'credentials.token cannot be combined with GitHub App credentials (appId, privateKey, installationId)');
      const appId = f.string('appId', { required: true, numeric: true, pattern: /^\d{1,12}$/, hint: 'must be the numeric App ID' });
      const installationId = f.string('installationId', { required: true, numeric: true, pattern: /^\d{1,15}$/, hint: 'must be the numeric installation id' });
      const privateKey = f.string('privateKey', { required: true });
      if (privateKey) {
        try {
          createPrivateKey(privateKey.replace(/\\n/g, '\n'));
        } catch {
          f.fail('privateKey', 'credentials.privateKey must be the App\'s PEM private key (-----BEGIN RSA PRIVATE KEY----- …)');
        }
      }
      if (appId && installationId && privateKey) creds = { appId, installationId, privateKey: privateKey.replace(/\\n/g, '\n') };
    } else {
      const token = f.string('token', { required: true, pattern: /^[A-Za-z0-9_]{20,255}$/, hint: 'must be a GitHub token (ghp_…, github_pat_…) — or give appId, privateKey and installationId' });
      if (token) creds = { token };
    }
    if (f.problems.length) return { problems: f.problems };
    return { credentials: { ...creds, webhookSecret: webhookSecret ?? previous?.webhookSecret ?? generateWebhookSecret().slice('whsec_'.length) } };
  }

  checkSettings(input: Record<string, unknown>): { settings: Record<string, unknown> } | { problems: CredentialProblem[] } {
    const f = new FieldChecker('settings', input, ['repositories', 'events']);
    const repositories = f.stringList('repositories', { pattern: REPO, hint: 'expected "owner/name"' }) ?? [];
    const events = f.stringList('events', { oneOf: GITHUB_EVENTS }) ?? [...GITHUB_EVENTS];
    return f.problems.length ? { problems: f.problems } : { settings: { repositories: repositories.map((r) => r.toLowerCase()), events } };
  }

  async validateCredentials(credentials: Credentials): Promise<PlatformIdentity> {
    const octokit = this.clients.client(credentials);
    if (!isAppCredentials(credentials)) {
      const { data, headers } = await this.call(() => octokit.rest.users.getAuthenticated());
      return {
        externalBotId: String(data.id),
        displayName: data.login,
        info: { kind: 'token', login: data.login, id: data.id, type: data.type, scopes: splitScopes(headers['x-oauth-scopes']) },
      };
    }
    // App: the JWT proves appId + privateKey; the installation token proves installationId.
    const app = await this.call(() => octokit.rest.apps.getAuthenticated());
    await this.call(() => octokit.auth({ type: 'installation' }));
    const slug = app.data?.slug ?? `app-${credentials.appId}`;
    return {
      externalBotId: `app:${credentials.appId}`,
      displayName: `${slug}[bot]`,
      info: { kind: 'app', login: `${slug}[bot]`, appId: Number(credentials.appId), slug, installationId: Number(credentials.installationId) },
    };
  }

  /** GitHub webhooks are configured by the admin with the URL and secret from setupInstructions. */
  async connect(): Promise<void> {}

  async disconnect(): Promise<void> {}

  async healthCheck(_connection: PlatformConnection, credentials: Credentials): Promise<void> {
    const octokit = this.clients.client(credentials);
    if (isAppCredentials(credentials)) await this.call(() => octokit.rest.apps.listReposAccessibleToInstallation({ per_page: 1 }));
    else await this.call(() => octokit.rest.users.getAuthenticated());
  }

  setupInstructions(connection: PlatformConnection, credentials: Credentials, created: boolean): SetupInstructions {
    return {
      webhookUrl: connection.webhookUrl as string,
      contentType: 'application/json',
      events: (connection.settings.events as string[] | undefined) ?? [...GITHUB_EVENTS],
      // shown once, when we generated it
      ...(created ? { webhookSecret: credentials.webhookSecret } : {}),
    };
  }

  // ---- inbound --------------------------------------------------------------------------------------------------

  async parse(payload: Record<string, unknown>, { connection, credentials }: ConnectorContext): Promise<ParsedEvent> {
    const stored = payload as unknown as StoredGitHubEvent;
    const login = String((connection.platformInfo as { login?: string }).login ?? connection.displayName ?? '');
    const first = parseGitHubEvent(stored, login, connection.id, connection.settings);
    if (first.kind !== 'needs-files') return first;
    let files: ChangedFile[];
    try {
      const res = await this.clients.client(credentials).rest.pulls.listFiles({ owner: first.owner, repo: first.repo, pull_number: first.number, per_page: 100 });
      files = res.data.map((f) => ({ filename: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, patch: f.patch }));
    } catch (e) {
      throw mapGitHubSendError(e, this.clock.nowMs());
    }
    const second = parseGitHubEvent(stored, login, connection.id, connection.settings, files);
    return second.kind === 'needs-files' ? { kind: 'ignored', reason: 'could not list the changed files' } : second;
  }

  /** The agent's reply becomes a comment on the issue or pull request (GitHub renders the Markdown). */
  async send({ credentials }: ConnectorContext, out: OutgoingMessage): Promise<{ externalMessageId?: string }> {
    if (out.progress.delivered > 0) return {};
    const [owner, repo] = out.chatId.split('/');
    const body = out.text.length > 65_000 ? `${out.text.slice(0, 65_000)}\n\n…(truncated)` : out.text;
    try {
      const res = await this.clients.client(credentials).rest.issues.createComment({ owner, repo, issue_number: Number(out.threadId), body });
      await out.progress.markDelivered(1);
      return { externalMessageId: String(res.data.id) };
    } catch (e) {
      throw mapGitHubSendError(e, this.clock.nowMs());
    }
  }

  /**
   * The working sign: 👀 on the comment that mentioned the bot — someone asked and waits. Not on new issues or pull
   * requests: nobody waits there, and every reaction counts against GitHub's content-creation limits, which the answers
   * need. Left in place after the answer, as GitHub's own bots do. Best effort.
   */
  async startWorking({ credentials }: ConnectorContext, incoming: IncomingMessage): Promise<void> {
    const [kind, id] = (incoming.externalMessageId ?? '').split(':');
    if (kind !== 'comment') return;
    const [owner, repo] = incoming.chatId.split('/');
    await this.clients.client(credentials).rest.reactions.createForIssueComment({ owner, repo, comment_id: Number(id), content: 'eyes' });
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapGitHubError(e);
    }
  }
}

function splitScopes(header: unknown): string[] {
  return typeof header === 'string' && header ? header.split(',').map((s) => s.trim()) : [];
}

/** While replying: rate limits wait, revoked credentials fail the connection, missing repos fail the event. */
export function mapGitHubSendError(e: unknown, nowMs: number): Error {
  const err = e as { status?: number; response?: { headers?: Record<string, string | undefined>; data?: { message?: string } } };
  const h = err.response?.headers ?? {};
  const message = err.response?.data?.message ?? 'error';
  if (err.status === 429 || (err.status === 403 && (h['retry-after'] || h['x-ratelimit-remaining'] === '0'))) {
    const reset = Number(h['x-ratelimit-reset']);
    const ms = h['retry-after'] ? Number(h['retry-after']) * 1000 : Number.isFinite(reset) ? Math.max(1000, reset * 1000 - nowMs) : 60_000;
    return new RetryLaterError(`GitHub rate limit: ${message}`, ms);
  }
  if (err.status === 401) return new InvalidCredentialsError(`401 ${message}`);
  if (err.status === 403) return new PermanentSendError(`GitHub refused (403 ${message}); the token may lack a permission`);
  if (err.status && err.status >= 400 && err.status < 500) return new PermanentSendError(`GitHub refused (${err.status} ${message})`);
  return new Error(`GitHub answered ${err.status ?? 'nothing'}${err.status ? ` ${message}` : ''}`);
}

export function mapGitHubError(e: unknown): Error {
  const err = e as { status?: number; message?: string; response?: { data?: { message?: string } } };
  const message = err.response?.data?.message ?? 'error';
  if (err.status === 401) return new InvalidCredentialsError(`401 ${message}`);
  if (err.status === 404) return new InvalidCredentialsError(`404 ${message} (the App or installation does not exist for these credentials)`);
  if (err.status === 403) return new PlatformRejectedError(`403 ${message}`);
  if (err.status && err.status >= 400 && err.status < 500) return new PlatformRejectedError(`${err.status} ${message}`);
  if (err.status && err.status >= 500) return new PlatformUnavailableError(`${err.status} ${message}`);
  // No HTTP answer: connection refused, DNS, timeout. Octokit's message may include the URL but never the token.
  return new PlatformUnavailableError('GitHub API could not be reached');
}

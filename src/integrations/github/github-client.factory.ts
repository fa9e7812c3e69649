import { Injectable, Logger } from '@nestjs/common';
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { createHash } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import type { Credentials } from '../../connections/platform-connector';
import { GITHUB_CONFIG } from './github.config';

export const isAppCredentials = (c: Credentials): boolean => Boolean(c.appId);
const MAX_CLIENTS = 500;
const Throttled = Octokit.plugin(retry, throttling);

/**
 * The one place Octokit clients are made, with `baseUrl` = GITHUB_API_URL (GitHub Enterprise, or a fake in tests).
 * Clients are kept per credentials in a bounded LRU, so a GitHub App's installation token (cached by
 * @octokit/auth-app until it expires) is reused across calls. Retry and throttling plugins are on unless turned off.
 */
@Injectable()
export class GitHubClientFactory {
  private readonly logger = new Logger('GitHub');
  private readonly clients = new Map<string, Octokit>();

  constructor(private readonly config: AppConfig) {}

  /** Acting as the token's user, or as the App installation. */
  client(credentials: Credentials): Octokit {
    const key = createHash('sha256').update(JSON.stringify([credentials.token, credentials.appId, credentials.installationId, credentials.privateKey])).digest('base64url');
    const hit = this.clients.get(key);
    if (hit) {
      this.clients.delete(key);
      this.clients.set(key, hit);
      return hit;
    }
    const client = this.create(credentials);
    this.clients.set(key, client);
    if (this.clients.size > MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value as string);
    return client;
  }

  private create(credentials: Credentials): Octokit {
    const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const auth = isAppCredentials(credentials)
      ? {
          authStrategy: createAppAuth,
          auth: { appId: credentials.appId, privateKey: credentials.privateKey, installationId: Number(credentials.installationId) },
        }
      : { auth: credentials.token };
    const common = { baseUrl: this.config.platform(GITHUB_CONFIG).apiUrl, userAgent: 'switchboard', request: { timeout: this.config.platforms.timeoutMs }, log: quiet, ...auth };
    if (!this.config.platform(GITHUB_CONFIG).retryAndThrottle) return new Octokit(common);
    return new Throttled({
      ...common,
      retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 451] },
      throttle: {
        // one quick retry inside the call; longer waits are the queue's job (the event is retried later)
        onRateLimit: (retryAfter: number, _opts: unknown, _o: unknown, retryCount: number) => retryCount < 1 && retryAfter <= 30,
        onSecondaryRateLimit: (retryAfter: number, _opts: unknown, _o: unknown, retryCount: number) => {
          this.logger.warn(`GitHub secondary rate limit (retry after ${retryAfter} s)`);
          return retryCount < 1 && retryAfter <= 30;
        },
      },
    });
  }
}

import { Injectable } from '@nestjs/common';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { AppConfig } from '../../config/app-config';
import type { Credentials } from '../../connections/platform-connector';

export const isAppCredentials = (c: Credentials): boolean => Boolean(c.appId);

/** The one place Octokit clients are made, with `baseUrl` = GITHUB_API_URL (GitHub Enterprise, or a fake in tests). */
@Injectable()
export class GitHubClientFactory {
  constructor(private readonly config: AppConfig) {}

  /** Acting as the token's user, or as the App installation. */
  client(credentials: Credentials): Octokit {
    const common = {
      baseUrl: this.config.platforms.githubApiUrl,
      userAgent: 'switchboard',
      request: { timeout: this.config.platforms.timeoutMs },
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    };
    if (!isAppCredentials(credentials)) return new Octokit({ ...common, auth: credentials.token });
    return new Octokit({
      ...common,
      authStrategy: createAppAuth,
      auth: { appId: credentials.appId, privateKey: credentials.privateKey, installationId: Number(credentials.installationId) },
    });
  }
}

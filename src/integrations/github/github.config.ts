import { Transform } from 'class-transformer';
import { IsBoolean, IsUrl } from 'class-validator';
import { httpUrl, httpUrlMessage, toBool } from '../../config/env-rules';
import type { PlatformConfigSpec } from '../../config/platform-config';

/** GitHub's environment variables (README "Configuration", .env.example). */
export class GitHubEnv {
  /** REST base: GitHub Enterprise Server (`https://HOST/api/v3`), or a fake in tests. */
  @IsUrl(httpUrl, httpUrlMessage) GITHUB_API_URL: string = 'https://api.github.com';
  /** Octokit's retry and throttling plugins (on in production, off in tests). */
  @Transform(toBool) @IsBoolean() GITHUB_RETRY_AND_THROTTLE: boolean = true;
}

export interface GitHubConfig {
  apiUrl: string;
  retryAndThrottle: boolean;
}

/** Read with `config.platform(GITHUB_CONFIG)`. */
export const GITHUB_CONFIG: PlatformConfigSpec<GitHubEnv, GitHubConfig> = {
  platform: 'github',
  schema: GitHubEnv,
  build: (env) => ({ apiUrl: env.GITHUB_API_URL.replace(/\/+$/, ''), retryAndThrottle: env.GITHUB_RETRY_AND_THROTTLE }),
};

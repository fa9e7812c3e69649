import { Type } from 'class-transformer';
import { IsInt, IsUrl, Max, Min } from 'class-validator';
import { httpUrl, httpUrlMessage } from '../../config/env-rules';
import type { PlatformConfigSpec } from '../../config/platform-config';

/** Slack's environment variables (README "Configuration", .env.example). */
export class SlackEnv {
  /** Web API base (a fake in tests). */
  @IsUrl(httpUrl, httpUrlMessage) SLACK_API_URL: string = 'https://slack.com/api/';
  /** Where Slack serves `url_private` files; the bot token is sent only to this origin. */
  @IsUrl(httpUrl, httpUrlMessage) SLACK_FILES_URL: string = 'https://files.slack.com';
  /** How often a worker renews its Socket Mode sockets and looks for unheld ones; 0 turns Socket Mode off. */
  @Type(() => Number) @IsInt() @Min(0) @Max(600000) SLACK_SOCKET_SCAN_MS: number = 5000;
}

export interface SlackConfig {
  /** SLACK_API_URL, ending in `/`. */
  apiUrl: string;
  /** SLACK_FILES_URL's origin: `url_private` downloads (with the bot token) go only there. */
  filesOrigin: string;
  /**
   * Socket Mode (SLACK_SOCKET_SCAN_MS): how often a worker renews the sockets it holds and looks for Socket Mode
   * connections nobody holds (0 = off); a socket's lease lives six scans (at least 3 s) without renewal.
   */
  socket: { scanIntervalMs: number; leaseSeconds: number };
}

/** Read with `config.platform(SLACK_CONFIG)`. */
export const SLACK_CONFIG: PlatformConfigSpec<SlackEnv, SlackConfig> = {
  platform: 'slack',
  schema: SlackEnv,
  build: (env) => ({
    apiUrl: env.SLACK_API_URL.endsWith('/') ? env.SLACK_API_URL : `${env.SLACK_API_URL}/`,
    filesOrigin: new URL(env.SLACK_FILES_URL).origin,
    socket: { scanIntervalMs: env.SLACK_SOCKET_SCAN_MS, leaseSeconds: Math.max(3, Math.ceil((6 * env.SLACK_SOCKET_SCAN_MS) / 1000)) },
  }),
};

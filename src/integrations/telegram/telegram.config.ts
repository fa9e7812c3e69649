import { Type } from 'class-transformer';
import { IsInt, IsUrl, Max, Min } from 'class-validator';
import { httpUrl, httpUrlMessage } from '../../config/env-rules';
import type { PlatformConfigSpec } from '../../config/platform-config';

/** Telegram's environment variables (README "Configuration", .env.example). */
export class TelegramEnv {
  /** Bot API base: a local Bot API server, or a fake in tests. */
  @IsUrl(httpUrl, httpUrlMessage) TELEGRAM_API_ROOT: string = 'https://api.telegram.org';
  /** How often a worker looks for connections in polling mode; 0 turns polling off. */
  @Type(() => Number) @IsInt() @Min(0) TELEGRAM_POLL_SCAN_MS: number = 5000;
  /** getUpdates long-poll timeout. */
  @Type(() => Number) @IsInt() @Min(0) @Max(50) TELEGRAM_POLL_TIMEOUT_S: number = 25;
}

export interface TelegramConfig {
  apiRoot: string;
  polling: { scanIntervalMs: number; timeoutSeconds: number };
}

/** Read with `config.platform(TELEGRAM_CONFIG)`. */
export const TELEGRAM_CONFIG: PlatformConfigSpec<TelegramEnv, TelegramConfig> = {
  platform: 'telegram',
  schema: TelegramEnv,
  build: (env) => ({
    apiRoot: env.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
    polling: { scanIntervalMs: env.TELEGRAM_POLL_SCAN_MS, timeoutSeconds: env.TELEGRAM_POLL_TIMEOUT_S },
  }),
};

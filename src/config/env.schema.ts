import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';
import { httpUrl, httpUrlMessage, toBool } from './env-rules';

const dbUrl = { protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true };
const redisUrl = { protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true };
const dbUrlMessage = { message: '$property must be a postgres:// or postgresql:// URL' };
const redisUrlMessage = { message: '$property must be a redis:// or rediss:// URL' };

/**
 * Every environment variable Switchboard reads, with its rule, except a platform's own (its API base URL, polling…),
 * which its folder declares (src/integrations/<name>/<name>.config.ts). Validated once at boot;
 * a bad value stops startup with a message naming the variable.
 */
export class EnvSchema {
  @IsIn(['development', 'production', 'test']) NODE_ENV: 'development' | 'production' | 'test' = 'development';
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT: number = 3000;
  @IsIn(['all', 'api', 'worker']) ROLE: 'all' | 'api' | 'worker' = 'all';
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL: string = 'info';
  /** Checked by parseTrustProxy in loadConfig (what Express's `trust proxy` takes); unset = no proxy is trusted. */
  @IsOptional() @IsString() TRUST_PROXY?: string;
  /** `auto`: human-readable lines (pino-pretty) when NODE_ENV=development and stdout is a terminal, JSON otherwise. */
  @IsIn(['auto', 'json', 'pretty']) LOG_FORMAT: 'auto' | 'json' | 'pretty' = 'auto';

  @IsUrl(dbUrl, dbUrlMessage) DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/switchboard';
  @Transform(toBool) @IsBoolean() MIGRATIONS_RUN: boolean = true;
  @Type(() => Number) @IsInt() @Min(2) @Max(1000) DATABASE_POOL_SIZE: number = 20;
  /** Seconds a pooled connection may sit idle before it is closed; 0 = kept until the process stops. */
  @Type(() => Number) @IsInt() @Min(0) @Max(86400) DATABASE_POOL_IDLE_S: number = 300;
  @IsUrl(redisUrl, redisUrlMessage) REDIS_URL: string = 'redis://127.0.0.1:6379';
  @Matches(/^[A-Za-z0-9_-]{1,32}$/) BULLMQ_PREFIX: string = 'sb';

  @IsOptional() @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' }) JWT_SECRET?: string;
  @Matches(/^\d+[smhd]?$/, { message: 'JWT_EXPIRES_IN must be seconds or a number with s, m, h or d (e.g. 3600, 15m, 1h)' })
  JWT_EXPIRES_IN = '1h';
  @IsString() JWT_ISSUER: string = 'switchboard';
  @IsOptional() @IsString() ENCRYPTION_KEYS?: string;

  @IsOptional() @IsUrl(httpUrl, httpUrlMessage) PUBLIC_BASE_URL?: string;
  @IsOptional() @IsEmail() ADMIN_EMAIL?: string;
  @IsOptional() @IsString() @MinLength(8, { message: 'ADMIN_PASSWORD must be at least 8 characters' }) ADMIN_PASSWORD?: string;
  @IsString() ADMIN_TEAM: string = 'Default';
  @Type(() => Number) @IsInt() @Min(1) LOGIN_RATE_LIMIT: number = 10;
  @Type(() => Number) @IsInt() @Min(1) LOGIN_RATE_TTL_S: number = 60;
  @Type(() => Number) @IsInt() @Min(1) @Max(8760) INVITATION_TTL_HOURS: number = 72;
  /** Requests per minute one API key may make (fixed window, shared by every replica through Redis). */
  @Type(() => Number) @IsInt() @Min(1) API_KEY_RATE_LIMIT: number = 600;
  /** Audit events older than this many days are deleted (hourly, one replica). */
  @Type(() => Number) @IsInt() @Min(1) @Max(36500) AUDIT_RETENTION_DAYS: number = 365;
  @Type(() => Number) @IsInt() @Min(0) SHUTDOWN_TIMEOUT_MS: number = 25000;
  @IsString() DATA_DIR: string = '.data';

  /** The deadline of one call to any platform's API (each platform's base URL is its own variable). */
  @Type(() => Number) @IsInt() @Min(1000) PLATFORM_TIMEOUT_MS: number = 10000;
  /** Voice and files: the largest file downloaded from a platform (bytes), and the longest voice note transcribed. */
  @Type(() => Number) @IsInt() @Min(1024) @Max(100 * 1024 * 1024) ATTACHMENT_MAX_BYTES: number = 10 * 1024 * 1024;
  @Type(() => Number) @IsInt() @Min(1) @Max(7200) VOICE_MAX_SECONDS: number = 300;
  /** false: the platform webhook routes answer 404, no inbound event is processed, nothing is polled. */
  @Transform(toBool) @IsBoolean() ENABLE_INTEGRATIONS: boolean = true;
  @Type(() => Number) @IsInt() @Min(0) CONNECTION_HEALTH_INTERVAL_S: number = 60;
  @Type(() => Number) @IsInt() @Min(1) CONNECTION_HEALTH_FAILURES: number = 5;

  // Inbound pipeline and agent runtimes
  @Type(() => Number) @IsInt() @Min(1) @Max(10000) INBOUND_CONCURRENCY: number = 2000;
  @Type(() => Number) @IsInt() @Min(1) @Max(3600) INBOUND_LEASE_S: number = 60;
  @Type(() => Number) @IsInt() @Min(0) @Max(60000) INBOUND_WORKING_DELAY_MS: number = 300;
  @Type(() => Number) @IsInt() @Min(100) AGENT_TIMEOUT_MS: number = 60000;
  @Matches(/^\d+(,\d+)*$/, { message: 'AGENT_RETRY_DELAYS_MS must be comma-separated milliseconds, e.g. 1000,5000,15000' })
  AGENT_RETRY_DELAYS_MS: string = '1000,5000,15000';
  @Type(() => Number) @IsInt() @Min(1) CONVERSATION_IDLE_MINUTES: number = 30;
  @Type(() => Number) @IsInt() @Min(0) INBOUND_SWEEP_INTERVAL_S: number = 30;
  // a week at least: a platform's redelivery of an event it sent days ago (GitHub: 3 days) is still known as a duplicate
  @Type(() => Number) @IsInt() @Min(7) @Max(36500) INBOUND_RETENTION_DAYS: number = 30;
  @Type(() => Number) @IsInt() @Min(0) @Max(3600) APPROVAL_SWEEP_INTERVAL_S: number = 5;
  @Transform(toBool) @IsBoolean() WEBHOOK_ALLOW_PRIVATE_NETWORKS: boolean = false;

  // Outbound webhooks
  @Transform(toBool) @IsBoolean() ENABLE_WEBHOOKS: boolean = true;
  @Type(() => Number) @IsInt() @Min(100) @Max(120000) WEBHOOK_TIMEOUT_MS: number = 10000;
  /** Checked by parseRetrySchedule in loadConfig (seconds after the first attempt). */
  @IsString() WEBHOOK_RETRY_SCHEDULE: string = '0,60,300,1800,7200';
  @Type(() => Number) @IsInt() @Min(0) WEBHOOK_SECRET_OVERLAP_S: number = 86400;
  @Type(() => Number) @IsInt() @Min(1) WEBHOOK_RETENTION_DAYS: number = 30;
  @Type(() => Number) @IsInt() @Min(1) @Max(1000) WEBHOOK_CONCURRENCY: number = 100;
  @Type(() => Number) @IsInt() @Min(1) @Max(1000) WEBHOOK_ENDPOINT_CONCURRENCY: number = 32;
  @Type(() => Number) @IsInt() @Min(1) @Max(5000) WEBHOOK_BATCH_SIZE: number = 500;
  @Type(() => Number) @IsInt() @Min(10) @Max(60000) WEBHOOK_POLL_INTERVAL_MS: number = 1000;
  @Type(() => Number) @IsNumber() @Min(0) WEBHOOK_SWEEP_INTERVAL_S: number = 30;
}

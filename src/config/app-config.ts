import { EnvSchema } from './env.schema';
import type { PlatformConfigSpec } from './platform-config';
import { TrustProxy } from './trust-proxy';

export type Role = EnvSchema['ROLE'];

/** The typed, validated configuration. Injected by class: `constructor(private readonly config: AppConfig)`. */
export class AppConfig {
  /** @param settingsOf what `platform(spec)` answers (loadConfig's: parsed at boot, or on first use). */
  constructor(private readonly settingsOf: (spec: PlatformConfigSpec) => unknown = missingPlatformConfig) {}

  env: EnvSchema['NODE_ENV'];
  role: Role;
  port: number;
  /** Express `trust proxy`: which peers may tell the client address in X-Forwarded-For (false = none). */
  trustProxy: TrustProxy;
  logLevel: string;
  logFormat: EnvSchema['LOG_FORMAT'];
  publicBaseUrl: string;
  dataDir: string;
  shutdownTimeoutMs: number;
  database: {
    url: string;
    migrationsRun: boolean;
    /** Pooled PostgreSQL connections per process. */
    poolSize: number;
    /** Seconds an idle pooled connection is kept (0: until the process stops). */
    poolIdleS: number;
  };
  redis: { url: string; prefix: string };
  auth: {
    jwtSecret: string;
    jwtExpiresInSeconds: number;
    jwtIssuer: string;
    loginRateLimit: number;
    loginRateTtlSeconds: number;
    /** Requests per minute per API key (API_KEY_RATE_LIMIT). */
    apiKeyRateLimit: number;
  };
  /** The audit log: how long its events are kept (AUDIT_RETENTION_DAYS). */
  audit: { retentionDays: number };
  /** Team invitations: how long an invitation token stays valid (INVITATION_TTL_HOURS). */
  invitations: { ttlHours: number };
  encryptionKeys: string;
  /** Every platform's API calls: the deadline of one call (PLATFORM_TIMEOUT_MS). A platform's own variables: `platform(spec)`. */
  platforms: { timeoutMs: number };
  /** Voice and files: the largest platform file downloaded (bytes) and the longest voice note transcribed (seconds). */
  media: { maxBytes: number; voiceMaxSeconds: number };
  connectionHealth: { intervalSeconds: number; failureThreshold: number };
  inbound: {
    concurrency: number;
    /** How long a conversation's lease lives without renewal (a dead worker's conversations resume after it). */
    leaseSeconds: number;
    /** "typing…" (or Slack's :eyes:) shows only when the agent has not answered within this many ms. */
    workingDelayMs: number;
    agentTimeoutMs: number;
    agentRetryDelaysMs: number[];
    conversationIdleMinutes: number;
    sweepIntervalSeconds: number;
    /** Finished inbound events received longer ago than this are deleted (hourly, in batches). */
    retentionDays: number;
    /** How often expired approvals are resolved (`approval.decided` with status `expired`); 0: never. */
    approvalSweepIntervalSeconds: number;
  };
  /** Team-supplied URLs (webhook endpoints, runtimes, Slack response_url) may resolve to private addresses (dev/tests only). */
  allowPrivateNetworks: boolean;
  integrations: {
    /**
     * ENABLE_INTEGRATIONS: when false the platform webhook routes answer 404, no inbound event is processed and the
     * Telegram poller and the Slack Socket Mode manager do not run; the admin API for connections keeps working.
     */
    enabled: boolean;
  };
  webhooks: {
    /** ENABLE_WEBHOOKS: when false the routes are not mounted and publish records nothing. */
    enabled: boolean;
    timeoutMs: number;
    /** Offsets in seconds after the first attempt, one per attempt (fractions allowed). */
    retrySchedule: number[];
    secretOverlapSeconds: number;
    retentionDays: number;
    /** Requests one worker process has in flight at most (all endpoints). */
    concurrency: number;
    /** Requests one worker process has in flight to one endpoint at most (a slow endpoint cannot take every slot). */
    endpointConcurrency: number;
    /** Deliveries one claim takes at most. */
    batchSize: number;
    /** The dispatcher looks for due deliveries at least this often (wake-ups make it sooner). */
    pollIntervalMs: number;
    /** How often (one replica) leases of stopped workers are given back and old deliveries pruned; 0 = off. */
    sweepIntervalSeconds: number;
  };
  bootstrapAdmin?: { email: string; password: string; team: string };

  /** One platform's settings, from the variables its `<name>.config.ts` declares (validated by loadConfig). */
  platform<T>(spec: PlatformConfigSpec<object, T>): T {
    return this.settingsOf(spec) as T;
  }

  get runsHttp(): boolean {
    return this.role === 'all' || this.role === 'api';
  }

  get runsWorker(): boolean {
    return this.role === 'all' || this.role === 'worker';
  }
}

function missingPlatformConfig(spec: PlatformConfigSpec): never {
  throw new Error(`no settings for platform ${spec.platform}: this AppConfig was not built by loadConfig`);
}

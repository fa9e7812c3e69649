import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExitCode, StartupError } from '../common/startup-error';
import { AppConfig } from './app-config';
import { EnvSchema } from './env.schema';
import { parseKeyring } from './keyring';
import { PlatformConfigSpec } from './platform-config';
import { parseRetrySchedule } from './retry-schedule';
import { parseTrustProxy, TrustProxy } from './trust-proxy';

/** One line per bad or missing variable, each naming it; main and the CLI print them and exit 78 (EX_CONFIG). */
export class ConfigError extends StartupError {
  constructor(problems: string[]) {
    super(problems, ExitCode.CONFIG);
  }
}

type Env = Record<string, string | undefined>;

/** Secrets that have no safe default. Generated once (outside production) so a first `npm start` just works. */
const GENERATED_SECRETS = ['JWT_SECRET', 'ENCRYPTION_KEYS'] as const;
type DevSecrets = Partial<Record<(typeof GENERATED_SECRETS)[number], string>>;

/** When a value breaks several rules (PORT=abc is no integer, and so neither ≥ 0 nor ≤ 65535), the first one here explains it. */
const CONSTRAINT_ORDER = ['isInt', 'isNumber', 'isBoolean', 'isIn', 'isUrl', 'isEmail', 'matches', 'isString', 'minLength', 'min', 'max'];
/** Variables whose value is never repeated in a message (secrets, and URLs that may carry a password). */
const UNSHOWN = /SECRET|PASSWORD|KEYS|DATABASE_URL|REDIS_URL/;

/** One message per variable: the most telling broken rule, and the value given unless it may be secret. */
function describe(errors: ValidationError[], raw: Env): string[] {
  return errors.map((e) => {
    const constraints = e.constraints ?? {};
    const key = CONSTRAINT_ORDER.find((k) => k in constraints) ?? Object.keys(constraints)[0];
    const message = constraints[key] ?? 'is invalid';
    const given = raw[e.property];
    const shown = given !== undefined && !UNSHOWN.test(e.property) ? ` (got "${given.length > 60 ? `${given.slice(0, 60)}…` : given}")` : '';
    return `${message.startsWith(e.property) ? message : `${e.property}: ${message}`}${shown}`;
  });
}

function generateSecret(name: (typeof GENERATED_SECRETS)[number]): string {
  return name === 'JWT_SECRET' ? randomBytes(48).toString('base64url') : `dev1:${randomBytes(32).toString('base64')}`;
}

/** Reads (or creates) the git-ignored dev secrets file; in tests nothing is written. */
function devSecrets(env: EnvSchema, missing: (typeof GENERATED_SECRETS)[number][]): DevSecrets {
  if (env.NODE_ENV === 'test') return Object.fromEntries(missing.map((n) => [n, generateSecret(n)]));
  const file = join(env.DATA_DIR, 'dev-secrets.json');
  const stored: DevSecrets = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DevSecrets) : {};
  let changed = false;
  for (const name of missing) {
    if (!stored[name]) {
      stored[name] = generateSecret(name);
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return stored;
}

export function parseDurationSeconds(value: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(value);
  if (!m) throw new ConfigError([`JWT_EXPIRES_IN: cannot parse "${value}"`]);
  const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * mult;
}

/** Validates one schema (EnvSchema or a platform's) over the raw variables: the instance and its problems. */
function validated<S extends object>(schema: new () => S, raw: Env): { env: S; errors: ValidationError[] } {
  const env = plainToInstance(schema, raw, { enableImplicitConversion: true, exposeDefaultValues: true });
  return { env, errors: validateSync(env, { whitelist: false }) };
}

/** A platform's settings from the raw variables, or its problems (one per bad variable). */
export function parsePlatformConfig<T>(spec: PlatformConfigSpec<object, T>, raw: Env): { settings?: T; problems: string[] } {
  const { env, errors } = validated(spec.schema, raw);
  return errors.length ? { problems: describe(errors, raw) } : { settings: spec.build(env), problems: [] };
}

/**
 * Validates the environment and builds the typed configuration. Pure apart from the development secrets file: the
 * entry points pass `readEnvironment()` (the process environment over `.env`) and the registered platforms' settings
 * (`PLATFORM_CONFIGS` of src/integrations), whose variables are validated here too; a platform not passed is parsed
 * from the same source when first asked for (`config.platform(spec)`).
 * Throws ConfigError naming every bad or missing variable, one message each.
 */
export function loadConfig(source: Env = process.env, platforms: readonly PlatformConfigSpec[] = []): AppConfig {
  const raw: Env = {};
  for (const [k, v] of Object.entries(source)) if (v !== undefined && v !== '') raw[k] = v;
  const { env, errors } = validated(EnvSchema, raw);
  const bad = new Set(errors.map((e) => e.property));
  // Every check runs, so one start reports every bad variable (a check is skipped when its variable is already reported).
  const problems = describe(errors, raw);
  const platformSettings = new Map<string, unknown>();
  for (const spec of platforms) {
    const parsed = parsePlatformConfig(spec, raw);
    problems.push(...parsed.problems);
    platformSettings.set(spec.platform, parsed.settings);
  }

  const missing = GENERATED_SECRETS.filter((n) => !env[n] && !bad.has(n));
  if (missing.length && env.NODE_ENV === 'production') {
    problems.push(...missing.map((n) => `${n} is required when NODE_ENV=production`));
  } else if (missing.length && !problems.length) {
    const generated = devSecrets(env, [...missing]);
    for (const n of missing) env[n] = generated[n];
  }
  if (env.ENCRYPTION_KEYS && !bad.has('ENCRYPTION_KEYS')) {
    try {
      parseKeyring(env.ENCRYPTION_KEYS);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  let retrySchedule: number[] = [];
  if (!bad.has('WEBHOOK_RETRY_SCHEDULE')) {
    try {
      retrySchedule = parseRetrySchedule(env.WEBHOOK_RETRY_SCHEDULE);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  let trustProxy: TrustProxy;
  try {
    trustProxy = parseTrustProxy(env.TRUST_PROXY);
  } catch (e) {
    throw new ConfigError([(e as Error).message]);
  }
  if ((env.ADMIN_EMAIL && !env.ADMIN_PASSWORD) || (!env.ADMIN_EMAIL && env.ADMIN_PASSWORD)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  if (problems.length) throw new ConfigError(problems);

  const config = new AppConfig((spec) => {
    if (platformSettings.has(spec.platform)) return platformSettings.get(spec.platform);
    const parsed = parsePlatformConfig(spec, raw);
    if (parsed.problems.length) throw new ConfigError(parsed.problems);
    platformSettings.set(spec.platform, parsed.settings);
    return parsed.settings;
  });
  Object.assign(config, {
    env: env.NODE_ENV,
    role: env.ROLE,
    port: env.PORT,
    trustProxy,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    dataDir: env.DATA_DIR,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    database: { url: env.DATABASE_URL, migrationsRun: env.MIGRATIONS_RUN, poolSize: env.DATABASE_POOL_SIZE, poolIdleS: env.DATABASE_POOL_IDLE_S },
    redis: { url: env.REDIS_URL, prefix: env.BULLMQ_PREFIX },
    auth: {
      jwtSecret: env.JWT_SECRET as string,
      jwtExpiresInSeconds: parseDurationSeconds(env.JWT_EXPIRES_IN),
      jwtIssuer: env.JWT_ISSUER,
      loginRateLimit: env.LOGIN_RATE_LIMIT,
      loginRateTtlSeconds: env.LOGIN_RATE_TTL_S,
      apiKeyRateLimit: env.API_KEY_RATE_LIMIT,
    },
    audit: { retentionDays: env.AUDIT_RETENTION_DAYS },
    invitations: { ttlHours: env.INVITATION_TTL_HOURS },
    encryptionKeys: env.ENCRYPTION_KEYS as string,
    platforms: { timeoutMs: env.PLATFORM_TIMEOUT_MS },
    inbound: {
      concurrency: env.INBOUND_CONCURRENCY,
      leaseSeconds: env.INBOUND_LEASE_S,
      workingDelayMs: env.INBOUND_WORKING_DELAY_MS,
      agentTimeoutMs: env.AGENT_TIMEOUT_MS,
      agentRetryDelaysMs: env.AGENT_RETRY_DELAYS_MS.split(',').map(Number),
      conversationIdleMinutes: env.CONVERSATION_IDLE_MINUTES,
      sweepIntervalSeconds: env.INBOUND_SWEEP_INTERVAL_S,
      retentionDays: env.INBOUND_RETENTION_DAYS,
      approvalSweepIntervalSeconds: env.APPROVAL_SWEEP_INTERVAL_S,
    },
    allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    integrations: { enabled: env.ENABLE_INTEGRATIONS },
    webhooks: {
      enabled: env.ENABLE_WEBHOOKS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      retrySchedule,
      secretOverlapSeconds: env.WEBHOOK_SECRET_OVERLAP_S,
      retentionDays: env.WEBHOOK_RETENTION_DAYS,
      concurrency: env.WEBHOOK_CONCURRENCY,
      endpointConcurrency: env.WEBHOOK_ENDPOINT_CONCURRENCY,
      batchSize: env.WEBHOOK_BATCH_SIZE,
      pollIntervalMs: env.WEBHOOK_POLL_INTERVAL_MS,
      sweepIntervalSeconds: env.WEBHOOK_SWEEP_INTERVAL_S,
    },
    media: { maxBytes: env.ATTACHMENT_MAX_BYTES, voiceMaxSeconds: env.VOICE_MAX_SECONDS },
    connectionHealth: { intervalSeconds: env.CONNECTION_HEALTH_INTERVAL_S, failureThreshold: env.CONNECTION_HEALTH_FAILURES },
    bootstrapAdmin:
      env.ADMIN_EMAIL && env.ADMIN_PASSWORD
        ? { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD, team: env.ADMIN_TEAM }
        : undefined,
  } satisfies Partial<AppConfig>);
  return config;
}

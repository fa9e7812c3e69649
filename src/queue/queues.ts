import type { DefaultJobOptions, JobsOptions } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/app-config';

/** Every BullMQ queue Switchboard uses (kebab-case). Payloads carry ids, never secrets. */
export enum QueueName {
  Inbound = 'inbound',
}

export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 10000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * Each queue's job options (attempts, backoff, retention): here and nowhere else; a producer adds only `jobId` and
 * `delay`. A failure that no retry can fix throws BullMQ's `UnrecoverableError` (no further attempts).
 */
export const JOB_OPTIONS = {
  /**
   * `inbound` jobs are only wake-ups (the inbound_event row is the truth), removed once done so an id can be used
   * again; the attempts cover unexpected errors (the database unreachable).
   */
  [QueueName.Inbound]: { attempts: 8, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: { age: 24 * 3600 } },
} as const satisfies Record<QueueName, JobsOptions>;

/** The queues this process must run a processor for: a worker role runs every queue whose feature is on. */
export function queuesToRun(config: Pick<AppConfig, 'runsWorker' | 'integrations'>): QueueName[] {
  if (!config.runsWorker) return [];
  return config.integrations.enabled ? [QueueName.Inbound] : [];
}

/** How long a request waits on Redis before it falls back to PostgreSQL (the sweepers enqueue later). */
export const REDIS_CALL_TIMEOUT_MS = 500;
/** Sweepers are not answering anyone: they wait longer, e.g. for BullMQ's connection to finish reconnecting. */
export const SWEEP_REDIS_TIMEOUT_MS = 5000;

/** Reconnect every 0.2 s, 0.4 s, … at most every 2 s: work resumes within seconds once Redis is back. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(attempt * 200, 2000);
}

/**
 * Connection options for BullMQ (queues and workers share them). Workers need `maxRetriesPerRequest: null` and the
 * offline queue, so a command made while Redis is away waits for it; calls on a request path are bounded instead
 * (RedisAvailability.run).
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isFinite(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    retryStrategy: reconnectDelayMs,
  };
}

import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { createBoundedRedis } from '../../queue/redis-client';
import { Clock } from '../../common/clock';

/** Longest a request waits on Redis before its key is counted in this process instead. */
export const API_KEY_REDIS_TIMEOUT_MS = 500;
export const API_KEY_WINDOW_MS = 60_000;

/** `<BULLMQ_PREFIX>:apikey-rate:{<key id>}:<window number>` (one hash slot per key for Redis Cluster). */
export const apiKeyRatePrefix = (redisPrefix: string): string => `${redisPrefix}:apikey-rate:`;

/** INCR the window's counter, PEXPIRE it on the first hit. KEYS: counter. ARGV: window ms. Returns {hits, ms left}. */
const HIT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {hits, ttl}
`;

type RateRedis = Redis & { apiKeyHit(counter: string, windowMs: number): Promise<[number, number]> };

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * API_KEY_RATE_LIMIT requests per key per fixed one-minute window, counted in Redis so every replica shares the limit.
 * A Redis call is bounded; while Redis is unreachable each process counts on its own (one warning, one line when
 * Redis is back) — the limit then holds per replica.
 */
@Injectable()
export class ApiKeyRateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeyLimit');
  private readonly redis: RateRedis;
  private readonly prefix: string;
  private readonly local = new Map<string, { window: number; hits: number }>();
  private degraded = false;
  private connecting?: Promise<void>;

  constructor(private readonly config: AppConfig, private readonly clock: Clock) {
    this.prefix = apiKeyRatePrefix(config.redis.prefix);
    this.redis = createBoundedRedis(config, API_KEY_REDIS_TIMEOUT_MS) as RateRedis;
    this.redis.defineCommand('apiKeyHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  }

  async hit(keyId: string): Promise<RateDecision> {
    const limit = this.config.auth.apiKeyRateLimit;
    const now = this.clock.nowMs();
    const window = Math.floor(now / API_KEY_WINDOW_MS);
    let hits: number;
    let msLeft: number;
    try {
      [hits, msLeft] = await within(this.remoteHit(`${this.prefix}{${keyId}}:${window}`), API_KEY_REDIS_TIMEOUT_MS);
      if (this.degraded) {
        this.degraded = false;
        this.logger.log('Redis is reachable again: API key limits are shared by every replica again');
      }
    } catch (e) {
      this.fallBack(e);
      hits = this.localHit(keyId, window);
      msLeft = (window + 1) * API_KEY_WINDOW_MS - now;
    }
    return { allowed: hits <= limit, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else if (this.redis.status !== 'end' && this.redis.status !== 'wait') this.redis.disconnect();
  }

  private async remoteHit(counter: string): Promise<[number, number]> {
    if (this.redis.status === 'wait' || this.redis.status === 'end') {
      this.connecting ??= this.redis.connect().finally(() => (this.connecting = undefined));
      await this.connecting;
    }
    if (this.redis.status !== 'ready') throw new Error(`connection is ${this.redis.status}`);
    return this.redis.apiKeyHit(counter, API_KEY_WINDOW_MS);
  }

  private localHit(keyId: string, window: number): number {
    const entry = this.local.get(keyId);
    if (!entry || entry.window !== window) {
      if (this.local.size > 10_000) this.local.clear(); // bounded: stale windows are worthless
      this.local.set(keyId, { window, hits: 1 });
      return 1;
    }
    entry.hits += 1;
    return entry.hits;
  }

  private fallBack(e: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    const reason = e instanceof Error ? e.message : String(e);
    this.logger.warn(`Redis unreachable (${reason}): API key limits counted in this process only until Redis is back`);
  }
}

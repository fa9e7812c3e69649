import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { createBoundedRedis } from '../queue/redis-client';

/** Longest a login waits on Redis before it is counted in this process instead. */
export const LOGIN_REDIS_TIMEOUT_MS = 500;

/** Where the counters live: `<BULLMQ_PREFIX>:login:{<hashed key>}:hits|block` (one hash slot per key for Redis Cluster). */
export const loginKeyPrefix = (redisPrefix: string): string => `${redisPrefix}:login:`;

/**
 * One fixed window per key: INCR the hits (PEXPIRE on the first), and past `limit` set a block marker for
 * `blockDuration` and start the window afresh. A blocked key is not counted further. Times are in milliseconds.
 * KEYS: hits, block. ARGV: ttl, limit, blockDuration. Returns {hits, ttl left, blocked 0|1, block left}.
 */
const HIT_SCRIPT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return {tonumber(ARGV[2]) + 1, blockLeft, 1, blockLeft}
end
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) and tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}
`;

type LoginRedis = Redis & {
  loginHit(hits: string, block: string, ttl: number, limit: number, blockDuration: number): Promise<[number, number, number, number]>;
};

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * Login attempt counters shared by every api replica through Redis, so N replicas allow the same number of guesses
 * as one. A Redis call is bounded (LOGIN_REDIS_TIMEOUT_MS); while Redis is unreachable the attempts are counted in
 * this process (the limit still holds per replica) and one warning says so, and one line when Redis is back.
 */
@Injectable()
export class LoginAttemptStore implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('LoginLimit');
  private readonly local = new ThrottlerStorageService();
  private readonly redis: LoginRedis;
  private readonly prefix: string;
  private degraded = false;
  private connecting?: Promise<void>;

  constructor(private readonly config: AppConfig) {
    this.prefix = loginKeyPrefix(config.redis.prefix);
    this.redis = createBoundedRedis(config, LOGIN_REDIS_TIMEOUT_MS) as LoginRedis;
    this.redis.defineCommand('loginHit', { numberOfKeys: 2, lua: HIT_SCRIPT });
  }

  /** Connects before the first login (api roles only); an unreachable Redis does not hold up the boot. */
  async onModuleInit(): Promise<void> {
    // Nest calls this twice (the store is also ThrottlerModule's storage provider): connect once
    if (!this.config.runsHttp || this.redis.status !== 'wait') return;
    await within(this.connect(), LOGIN_REDIS_TIMEOUT_MS).catch((e: unknown) => this.fallBack(e));
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      const record = await within(this.hit(key, ttl, limit, blockDuration), LOGIN_REDIS_TIMEOUT_MS);
      if (this.degraded) {
        this.degraded = false;
        this.logger.log('Redis is reachable again: the login limit is shared by every replica again');
      }
      return record;
    } catch (e) {
      this.fallBack(e);
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.local.onApplicationShutdown();
    // called twice as well: quit once when connected, else stop the reconnecting
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else if (this.redis.status !== 'end' && this.redis.status !== 'wait') this.redis.disconnect();
  }

  private async hit(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    // 'wait' (never connected) or 'end': connect now; while ioredis is reconnecting, fall back at once
    if (this.redis.status === 'wait' || this.redis.status === 'end') await this.connect();
    if (this.redis.status !== 'ready') throw new Error(`connection is ${this.redis.status}`);
    const base = `${this.prefix}{${key}}`;
    const [totalHits, ttlLeft, blocked, blockLeft] = await this.redis.loginHit(`${base}:hits`, `${base}:block`, ttl, limit, blockDuration);
    return { totalHits, timeToExpire: seconds(ttlLeft), isBlocked: blocked === 1, timeToBlockExpire: seconds(blockLeft) };
  }

  /** One connection attempt at a time, however many logins arrive meanwhile. */
  private connect(): Promise<void> {
    this.connecting ??= this.redis.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private fallBack(e: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    const reason = e instanceof Error ? e.message : String(e);
    this.logger.warn(`Redis unreachable (${reason}): login limit counted in this process only until Redis is back`);
  }
}

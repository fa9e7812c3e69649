import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { withTimeout } from '../common/with-timeout';
import { AppConfig } from '../config/app-config';
import { redisOptionsFromUrl } from './queues';

/**
 * A connection for calls that must answer quickly or fail (the login limit): no offline queue, no retried command,
 * connect and command timeouts of `timeoutMs`. ioredis keeps reconnecting in the background after a failure.
 */
export function createBoundedRedis(config: AppConfig, timeoutMs: number): Redis {
  const client = new Redis({
    ...redisOptionsFromUrl(config.redis.url),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
  });
  client.on('error', () => undefined); // callers fall back and say so once; no event per failed reconnect
  return client;
}

/**
 * A plain Redis connection for health checks, the availability monitor and locks (BullMQ keeps its own). Commands fail
 * at once while it is disconnected (no offline queue): its callers want an answer, not a wait.
 */
@Injectable()
export class RedisClient implements OnApplicationShutdown {
  readonly client: Redis;
  /** `host:port`, for log lines (never the password). */
  readonly address: string;

  constructor(@Inject(AppConfig) config: AppConfig) {
    const options = redisOptionsFromUrl(config.redis.url);
    this.address = `${options.host}:${options.port}`;
    this.client = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.client.on('error', () => undefined); // reported by RedisAvailability, not as unhandled events
  }

  /** Resolves when Redis answers PING within `ms`. Connects first if nothing has yet. */
  async ping(ms: number): Promise<void> {
    await withTimeout(this.connectOnce().then(() => this.client.ping()), ms, 'Redis PING');
  }

  private async connectOnce(): Promise<void> {
    if (this.client.status === 'wait') await this.client.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client.status === 'ready') await withTimeout(this.client.quit(), 500, 'Redis QUIT').catch(() => undefined);
    this.client.disconnect(); // no-op once QUIT closed it; otherwise stops the reconnect loop
  }
}

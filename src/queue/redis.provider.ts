import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
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

/** A plain Redis connection for health checks and locks (BullMQ keeps its own). */
@Injectable()
export class RedisClient implements OnApplicationShutdown {
  readonly client: Redis;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.client = new Redis({ ...redisOptionsFromUrl(config.redis.url), lazyConnect: true, maxRetriesPerRequest: 1 });
    this.client.on('error', () => undefined); // surfaced through health checks, not as unhandled events
  }

  async ping(): Promise<string> {
    if (this.client.status === 'wait') await this.client.connect();
    return this.client.ping();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client.status !== 'end' && this.client.status !== 'wait') await this.client.quit().catch(() => undefined);
  }
}

import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { redisOptionsFromUrl } from './queues';

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

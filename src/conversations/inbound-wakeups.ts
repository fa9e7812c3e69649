import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { QueueName } from '../queue/queues';
import { RedisClient } from '../queue/redis-client';
import { WakeupList, wakeupListKey } from '../queue/wakeup-list';
import { InboundJob } from './inbound-job';

/**
 * First wake-ups of stored inbound events for workers in other processes (ROLE=api → ROLE=worker): the `inbound`
 * queue's wake-up list. Delayed wake-ups (a retry's `not_before`, a platform's 429) and the sweeper's stay BullMQ jobs.
 */
@Injectable()
export class InboundWakeups extends WakeupList<InboundJob> {
  constructor(redis: RedisClient, config: AppConfig) {
    super(redis.client, wakeupListKey(config.redis.prefix, QueueName.Inbound), 'InboundWakeups');
  }
}

export function isInboundJob(x: unknown): x is InboundJob {
  return typeof x === 'object' && x !== null && typeof (x as { eventId?: unknown }).eventId === 'string';
}

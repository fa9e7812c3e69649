import { WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Queue, Worker } from 'bullmq';
import { withTimeout } from '../common/with-timeout';
import { RedisAvailability } from './redis-availability';

const FORCE_CLOSE_TIMEOUT_MS = 2000;

/**
 * Shutdown with Redis unreachable. BullMQ closes a worker by waiting for its active jobs and a queue by sending QUIT,
 * both of which wait for Redis forever. When Redis does not answer at shutdown, this closes the workers without
 * waiting for their jobs (their events stay in PostgreSQL; the sweepers enqueue them again) and drops the queues'
 * connections, so the module's own close hooks that run next return at once. With Redis up, nothing changes.
 */
@Injectable()
export class QueueShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger('QueueShutdown');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly redis: RedisAvailability,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    if (await this.redis.probe(500)) return;
    const instances = this.discovery.getProviders().map((w) => w.instance as unknown);
    const queues = instances.filter((i): i is Queue => i instanceof Queue);
    const workers = instances.filter((i): i is WorkerHost => i instanceof WorkerHost).flatMap((host) => workerOf(host));
    this.logger.warn(`Redis is unreachable: closing ${workers.length} worker(s) without waiting for their active jobs (the sweepers enqueue them again)`);
    await Promise.all(workers.map((w) => withTimeout(w.close(true), FORCE_CLOSE_TIMEOUT_MS, 'worker close').catch(() => undefined)));
    // Ends each queue's client (or, never connected, leaves close() to drop it): its QUIT then fails at once instead of waiting.
    for (const q of queues) void q.disconnect().catch(() => undefined);
  }
}

function workerOf(host: WorkerHost): Worker[] {
  try {
    return [host.worker];
  } catch {
    return []; // never started in this process
  }
}

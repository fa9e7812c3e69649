import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import DataLoader from 'dataloader';
import { QueueName, REDIS_CALL_TIMEOUT_MS } from '../queue/queues';
import { RedisAvailability } from '../queue/redis-availability';

/** The only payload a delivery job carries: the delivery row's id (never a URL, body or secret). */
export interface DeliverJob {
  deliveryId: string;
}
export const DELIVER_JOB = 'deliver';

/**
 * Scheduled retries are the processor moving its own job to delayed (the DB row says when); BullMQ's own attempts
 * only cover unexpected errors (database down). Finished jobs are removed at once so a replay can reuse the job id.
 */
export const DELIVERY_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600 },
};

const LIVE_STATES = new Set(['waiting', 'active', 'prioritized', 'waiting-children']);
const BULK = 500;

/**
 * Enqueues `deliver` jobs with jobId = delivery id, so a delivery has at most one job at a time. Adds made within the
 * same millisecond (many transactions committing at once) share one `addBulk` round trip to Redis. Every call is
 * bounded (RedisAvailability.run: at once while Redis is down, `timeoutMs` otherwise) and rejects when Redis does not
 * answer: the delivery row is pending in PostgreSQL and the webhook sweeper gives it its job later.
 */
@Injectable()
export class DeliveryQueue {
  private readonly adds = new DataLoader<string, true>((ids) => this.addNow(ids), {
    cache: false,
    maxBatchSize: BULK,
    batchScheduleFn: (run) => setTimeout(run, 1),
  });

  constructor(
    @InjectQueue(QueueName.WebhookDeliveries) readonly queue: Queue<DeliverJob>,
    private readonly redis: RedisAvailability,
  ) {}

  async add(deliveryIds: readonly string[], timeoutMs = REDIS_CALL_TIMEOUT_MS): Promise<void> {
    await this.redis.run('enqueue webhook deliveries', () => Promise.all(deliveryIds.map((id) => this.adds.load(id))), timeoutMs);
  }

  private async addNow(ids: readonly string[]): Promise<true[]> {
    await this.queue.addBulk(ids.map((id) => ({ name: DELIVER_JOB, data: { deliveryId: id }, opts: { ...DELIVERY_JOB_OPTIONS, jobId: id } })));
    return ids.map(() => true as const);
  }

  /**
   * Makes sure the delivery's job runs now: a waiting or active job is left alone, a delayed one is promoted,
   * a finished or missing one is (re)added. Returns true when a job was added or promoted.
   */
  async kick(deliveryId: string, timeoutMs = REDIS_CALL_TIMEOUT_MS): Promise<boolean> {
    const bounded = <T>(what: string, fn: () => Promise<T>): Promise<T> => this.redis.run(`webhook delivery ${what}`, fn, timeoutMs);
    const job = await bounded('job lookup', () => this.queue.getJob(deliveryId));
    const state = job ? await bounded('job state', () => job.getState()) : 'missing';
    if (LIVE_STATES.has(state)) return false;
    if (job && state === 'delayed') {
      await bounded('job promotion', () => job.promote()).catch(() => undefined); // it may have just become active
      return true;
    }
    if (job) await bounded('job removal', () => job.remove()).catch(() => undefined);
    await this.add([deliveryId], timeoutMs);
    return true;
  }
}

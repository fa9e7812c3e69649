import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { QueueName } from './queues';

/** At most this many wake-ups are taken by one BLMPOP. */
const MAX_TAKE = 500;
/** A blocking take returns empty after this long, so a stopping worker is never kept waiting longer. */
const BLOCK_SECONDS = 1;
/** While there is no room, it is looked at again this often (besides the signal when a run finishes). */
const ROOM_POLL_MS = 200;
/** How long past the block time a stopping consumer waits for its last take to return. */
const STOP_GRACE_MS = 500;
/** After a failed take (Redis away), the next one waits this long. */
const RETRY_MS = 1000;

/** The Redis key of a queue's wake-up list (beside BullMQ's keys, under the same prefix). */
export function wakeupListKey(prefix: string, queue: QueueName): string {
  return `${prefix}:${queue}:wakeups`;
}

/**
 * A queue's fast lane for immediate wake-ups: a Redis list of small JSON payloads (ids only), appended with one RPUSH
 * per batch and taken by workers in batches (one BLMPOP … COUNT n, Redis ≥ 7.0). A burst of stored events thus starts
 * together on one worker — so their statements batch as they do in a single process — instead of one BullMQ job each
 * (three Lua scripts per job, and jobs arriving one at a time). There is no acknowledgement: a wake-up is only a hint
 * whose truth is a row in PostgreSQL, and the sweeper wakes what a dead worker or a flushed Redis lost. Delayed
 * wake-ups stay BullMQ jobs.
 */
export class WakeupList<T> {
  private readonly logger: Logger;
  private blocking?: Redis;
  private loop?: Promise<T[]>;
  private stopped = false;
  private roomSignal?: () => void;
  private failures = 0;
  /** The blocking connection's client id (CLIENT UNBLOCK ends its wait when stopping). */
  private blockingId?: number;

  constructor(
    /** The plain connection (no offline queue: a push fails at once while Redis is away). */
    private readonly client: Redis,
    readonly key: string,
    name: string,
  ) {
    this.logger = new Logger(name);
  }

  /** Appends wake-ups, in order, with one command. */
  async push(items: readonly T[]): Promise<void> {
    if (!items.length) return;
    if (this.client.status === 'wait') await this.client.connect();
    await this.client.rpush(this.key, ...items.map((i) => JSON.stringify(i)));
  }

  /** Puts wake-ups back at the head (taken but not started, e.g. by a stopping worker). */
  async giveBack(items: readonly T[]): Promise<void> {
    if (items.length) await this.client.lpush(this.key, ...items.map((i) => JSON.stringify(i)).reverse());
  }

  length(): Promise<number> {
    return this.client.llen(this.key);
  }

  /**
   * Takes wake-ups on a connection of its own while `room()` is positive (at most that many at a time) and hands each
   * batch to `take`. Call `roomFreed` when room may have come back.
   */
  consume(room: () => number, take: (items: T[]) => void, isValid: (item: unknown) => item is T): void {
    const blocking = this.client.duplicate({ lazyConnect: true, maxRetriesPerRequest: null, enableOfflineQueue: true });
    blocking.on('error', () => undefined); // a take fails and is retried; RedisAvailability reports outages
    blocking.on('close', () => (this.blockingId = undefined));
    this.blocking = blocking;
    this.loop = this.run(blocking, room, take, isValid);
  }

  roomFreed(): void {
    const signal = this.roomSignal;
    this.roomSignal = undefined;
    signal?.();
  }

  /**
   * Stops taking; resolves with wake-ups taken by the last call and not handed over (give them back or run them). A
   * take waiting on the server is unblocked; one still waiting after its block time (Redis away) is cut off — what it
   * would have brought, the sweeper wakes.
   */
  async stop(): Promise<T[]> {
    this.stopped = true;
    this.roomFreed();
    // a take blocked on the server returns at once (empty) when unblocked from the other connection
    if (this.blockingId !== undefined) void this.client.client('UNBLOCK', this.blockingId).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const cutOff = new Promise<T[]>((resolve) => (timer = setTimeout(() => resolve([]), BLOCK_SECONDS * 1000 + STOP_GRACE_MS)));
    const left = await Promise.race([this.loop ?? Promise.resolve([]), cutOff]);
    clearTimeout(timer);
    this.blocking?.disconnect();
    return left;
  }

  private async run(blocking: Redis, room: () => number, take: (items: T[]) => void, isValid: (item: unknown) => item is T): Promise<T[]> {
    while (!this.stopped) {
      const n = Math.min(room(), MAX_TAKE);
      if (n <= 0) {
        // a run finishing signals; the timer covers room that comes back unsignalled (a worker starting or resuming)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ROOM_POLL_MS);
          this.roomSignal = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        continue;
      }
      let items: T[];
      try {
        if (blocking.status === 'wait') await blocking.connect();
        this.blockingId ??= Number(await blocking.client('ID'));
        const res = (await blocking.blmpop(BLOCK_SECONDS, 1, this.key, 'LEFT', 'COUNT', n)) as [string, string[]] | null;
        items = (res?.[1] ?? []).map(parse).filter(isValid);
        this.failures = 0;
      } catch (e) {
        if (this.stopped) break;
        if (this.failures++ % 60 === 0) this.logger.warn(`could not take wake-ups (retrying; the sweeper covers meanwhile): ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, RETRY_MS));
        continue;
      }
      if (this.stopped) return items;
      if (items.length) take(items);
    }
    return [];
  }
}

function parse(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

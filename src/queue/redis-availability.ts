import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { TimeoutError, withTimeout } from '../common/with-timeout';
import { REDIS_CALL_TIMEOUT_MS } from './queues';
import { RedisClient } from './redis-client';
import { ScheduledJobs } from '../database/scheduled-jobs';
import { Clock } from '../common/clock';

/** How often the connection is probed (a hung server closes no socket), and how long a probe may take. */
const PROBE_EVERY_MS = 5000;
const PROBE_TIMEOUT_MS = 1000;
/** While Redis stays unreachable, the warning is repeated this often. */
const REMIND_EVERY_MS = 60_000;

/** A Redis call was not even tried: Redis is known to be unreachable right now. */
export class RedisUnavailable extends Error {
  constructor(readonly since: Date) {
    super(`Redis is unreachable (since ${since.toISOString()})`);
    this.name = 'RedisUnavailable';
  }
}

/**
 * Knows whether Redis answers, from the plain connection's events (a closed socket is seen at once) and a probe every
 * few seconds (and at once after a call timed out). Logs one warning when Redis becomes unreachable (at startup too),
 * repeats it once a minute while it stays so, and one line when it is back — never a stack per request. Request paths
 * call Redis through `run`, which fails at once while Redis is down and gives up after REDIS_CALL_TIMEOUT_MS
 * otherwise; their callers fall back to what the sweepers guarantee (the row is in PostgreSQL, its job is enqueued
 * later).
 */
@Injectable()
export class RedisAvailability implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private downSince: Date | null = null;
  private reason = '';
  private lastWarnAt = 0;
  private probing = false;
  private stopped = false;
  private readonly recoveryListeners: (() => Promise<unknown>)[] = [];

  constructor(
    private readonly redis: RedisClient,
    private readonly jobs: ScheduledJobs,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const c = this.redis.client;
    c.on('error', (e: Error) => (this.reason = e.message));
    c.on('close', () => this.markDown(this.reason || 'connection closed'));
    c.on('ready', () => this.markUp());
    this.jobs.local('redis-probe', PROBE_EVERY_MS, () => this.tick(), { unref: true }); // per process: each watches its own connection
    void this.probe(); // the startup verdict: a warning now if Redis does not answer
  }

  onModuleDestroy(): void {
    this.stopped = true; // closing our own connections is not an outage
    this.jobs.stop('redis-probe');
  }

  onApplicationShutdown(): void {
    this.onModuleDestroy();
  }

  /** True while Redis is known to be unreachable. */
  isDown(): boolean {
    return this.downSince !== null;
  }

  /** When Redis became unreachable, or null while it answers. */
  unreachableSince(): Date | null {
    return this.downSince;
  }

  /** `fn` runs once Redis answers again after an outage (sweepers use it to enqueue what was stored meanwhile). */
  onRecovered(fn: () => Promise<unknown>): void {
    this.recoveryListeners.push(fn);
  }

  /**
   * A bounded Redis call: rejects with RedisUnavailable at once while Redis is down, with TimeoutError after `ms`.
   * A timeout starts a probe at once (a hung server keeps its sockets open, so no event says so): if the probe gets
   * no answer either, Redis counts as down and the next requests stop waiting.
   */
  run<T>(what: string, fn: () => Promise<T>, ms = REDIS_CALL_TIMEOUT_MS): Promise<T> {
    if (this.downSince) return Promise.reject(new RedisUnavailable(this.downSince));
    return withTimeout(fn(), ms, what).catch((e: unknown) => {
      if (e instanceof TimeoutError) void this.tick();
      throw e;
    });
  }

  /** Pings Redis now (bounded) and records the answer; returns whether it answered. */
  async probe(ms = PROBE_TIMEOUT_MS): Promise<boolean> {
    try {
      await this.redis.ping(ms);
      this.markUp();
      return true;
    } catch (e) {
      this.markDown(this.reason || (e as Error).message);
      return false;
    }
  }

  private async tick(): Promise<void> {
    if (this.probing || this.stopped) return;
    this.probing = true;
    try {
      await this.probe();
      if (this.downSince && this.clock.nowMs() - this.lastWarnAt >= REMIND_EVERY_MS) this.warn();
    } finally {
      this.probing = false;
    }
  }

  private markDown(reason: string): void {
    if (this.stopped || this.downSince) return;
    this.downSince = this.clock.now();
    this.reason = reason;
    this.warn();
  }

  private markUp(): void {
    this.reason = '';
    if (!this.downSince) return;
    const seconds = Math.round((this.clock.nowMs() - this.downSince.getTime()) / 1000);
    this.downSince = null;
    if (this.stopped) return;
    this.logger.log(`Redis at ${this.redis.address} is reachable again after ${seconds} s; enqueueing the work stored meanwhile`);
    for (const fn of this.recoveryListeners) {
      fn().catch((e: unknown) => this.logger.warn(`after Redis came back: ${(e as Error).message}`));
    }
  }

  private warn(): void {
    this.lastWarnAt = this.clock.nowMs();
    const since = this.downSince ? Math.round((this.clock.nowMs() - this.downSince.getTime()) / 1000) : 0;
    this.logger.warn(
      `Redis at ${this.redis.address} is unreachable${since ? ` for ${since} s` : ''} (${this.reason}): inbound events and webhook ` +
        'deliveries are stored in PostgreSQL and enqueued once it is back; /health/ready reports it down',
    );
  }
}

import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { RedisClient } from '../queue/redis-client';

/** A connection id, or ALL_CONNECTIONS for "anything may have changed" (e.g. notices were missed while unsubscribed). */
export type ConnectionChangeListener = (connectionId: string) => void;

export const ALL_CONNECTIONS = '*';

/**
 * Tells every replica that a connection changed (credentials, status, settings, deletion, re-encryption), so caches
 * of it are dropped at once instead of at their TTL. The change is applied locally first (synchronously), then
 * published on the Redis channel `<BULLMQ_PREFIX>:connection-changed`; every HTTP replica holds one dedicated
 * subscriber connection and applies what it receives. Redis being down never fails the change itself: `live` is
 * false, caches fall back to a short TTL, and a (re-)established subscription drops everything (pub/sub does not
 * keep what was published meanwhile).
 */
@Injectable()
export class ConnectionChanges implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ConnectionChanges');
  private readonly listeners: ConnectionChangeListener[] = [];
  readonly channel: string;
  private subscriber?: Redis;
  private subscribed = false;
  private lost = false;
  private closing = false;
  private publishFailing = false;
  /** Only processes that serve the inbound webhooks (the caches' users) subscribe; workers and the CLI only publish. */
  private readonly subscribes: boolean;

  constructor(
    private readonly redis: RedisClient,
    config: AppConfig,
  ) {
    this.channel = `${config.redis.prefix}:connection-changed`;
    this.subscribes = config.runsHttp;
  }

  /** True while this replica receives other replicas' changes. */
  get live(): boolean {
    return this.subscribed && this.subscriber?.status === 'ready';
  }

  onChange(listener: ConnectionChangeListener): void {
    this.listeners.push(listener);
  }

  /** Subscribes in the background: boot never waits on Redis (until then, caches use their short TTL). */
  onApplicationBootstrap(): void {
    if (!this.subscribes) return;
    const sub = this.redis.client.duplicate({ lazyConnect: true, autoResubscribe: false, maxRetriesPerRequest: null });
    this.subscriber = sub;
    sub.on('error', () => undefined); // ioredis reconnects by itself; `live` tells the cache
    sub.on('close', () => {
      if (this.subscribed && !this.closing) {
        this.lost = true;
        this.logger.warn(`lost the subscription to ${this.channel}; cached connections expire after a short TTL until it is back`);
      }
      this.subscribed = false;
    });
    sub.on('ready', () => void this.subscribe(sub));
    sub.on('message', (channel: string, id: string) => {
      if (channel === this.channel) this.notify(id);
    });
    sub.connect().catch(() => undefined); // a failed first connect keeps retrying in the background
  }

  onApplicationShutdown(): void {
    this.closing = true;
    this.subscriber?.disconnect();
  }

  /**
   * Call after the change is committed. Local caches drop the connection before this returns; other replicas shortly
   * after. The publish is not waited for (a Redis outage must not slow the change down); a failure is logged once per
   * outage, not thrown: the change happened, and the short TTL covers replicas that missed it.
   */
  announce(connectionId: string): void {
    this.notify(connectionId);
    this.redis.client.publish(this.channel, connectionId).then(
      () => (this.publishFailing = false),
      (e: Error) => {
        if (!this.publishFailing) this.logger.warn(`could not publish connection changes (other replicas rely on their cache TTL): ${e.message}`);
        this.publishFailing = true;
      },
    );
  }

  /** Drops this replica's caches of a connection without telling the others (e.g. it turned out to be deleted). */
  forgetLocally(connectionId: string): void {
    this.notify(connectionId);
  }

  private async subscribe(sub: Redis): Promise<void> {
    if (this.closing) return;
    try {
      await sub.subscribe(this.channel);
    } catch (e) {
      if (!this.closing) this.logger.warn(`could not subscribe to ${this.channel}: ${(e as Error).message}`);
      return;
    }
    this.subscribed = true;
    this.notify(ALL_CONNECTIONS); // changes published while we were not subscribed are lost
    if (this.lost) this.logger.log(`subscribed to ${this.channel} again`);
    this.lost = false;
  }

  private notify(id: string): void {
    for (const l of this.listeners) l(id);
  }
}

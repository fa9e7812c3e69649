import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { ConnectionsService } from '../../connections/connections.service';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { InvalidCredentialsError } from '../../connections/platform-connector';
import { InboundService } from '../../conversations/inbound.service';
import { RedisAvailability } from '../../queue/redis-availability';
import { RedisClient } from '../../queue/redis-client';
import { TelegramApiFactory } from './telegram-api.factory';
import { TelegramClickAnswerer } from './telegram-click-answerer';
import { TELEGRAM_ALLOWED_UPDATES } from './telegram.connector';
import { mapTelegramError } from './telegram-errors';
import { orderingKeyOf, TgUpdate } from './telegram-update';
import { ScheduledJobs } from '../../database/scheduled-jobs';
import { TELEGRAM_CONFIG } from './telegram.config';

const LOCK_TTL_MS = 60_000;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Worker: for Telegram connections in `settings.mode = "polling"` (development without a public URL), one worker
 * across all replicas (a Redis lock per bot) long-polls getUpdates and feeds each update into the same ingest path
 * as the webhook. Switching the connection back to `webhook` (or pausing it) ends the loop.
 */
@Injectable()
export class TelegramPoller implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TelegramPoller');
  private readonly loops = new Map<string, Promise<void>>();
  private readonly owner = randomUUID();
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly connections: ConnectionsService,
    private readonly inbound: InboundService,
    private readonly api: TelegramApiFactory,
    private readonly redis: RedisClient,
    private readonly availability: RedisAvailability,
    private readonly clicks: TelegramClickAnswerer,
    private readonly jobs: ScheduledJobs,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.platform(TELEGRAM_CONFIG).polling.scanIntervalMs;
    if (every > 0) {
      // per process, no advisory lock: a Redis lock per bot keeps each loop to one replica. A scan that fails (database
      // unreachable, or closing on shutdown) is retried on the next tick, never left unhandled.
      this.jobs.local('telegram-poll-scan', every, () => this.scan().catch((e: unknown) => this.logger.warn({ err: e }, 'telegram polling scan failed')));
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.jobs.stop('telegram-poll-scan');
    await Promise.allSettled([...this.loops.values()]);
  }

  /** Starts a loop for every polling connection that has none here (the Redis lock keeps it to one replica). */
  async scan(): Promise<void> {
    if (this.availability.isDown()) return; // no lock without Redis: its monitor reports the outage
    for (const id of await this.connections.activeIdsInMode('telegram', 'polling')) {
      if (this.loops.has(id) || this.stopping) continue;
      // Redis unreachable (the lock cannot be taken or renewed) ends the loop; the next scan starts it again.
      const loop = this.run(id)
        .catch((e: unknown) => this.logger.warn(`polling ${id} stopped: ${(e as Error).message}`))
        .finally(() => this.loops.delete(id));
      this.loops.set(id, loop);
    }
  }

  running(): string[] {
    return [...this.loops.keys()];
  }

  private async run(connectionId: string): Promise<void> {
    const key = `${this.config.redis.prefix}:telegram-poll:${connectionId}`;
    if ((await this.redis.client.set(key, this.owner, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') return;
    let offset: number | undefined;
    try {
      while (!this.stopping) {
        const conn = await this.connections.findById(connectionId);
        if (!conn || conn.status !== 'active' || conn.settings.mode !== 'polling') return;
        if (!(await this.redis.client.eval(RENEW, 1, key, this.owner, String(LOCK_TTL_MS)))) return;
        try {
          offset = await this.pollOnce(conn, offset);
        } catch (e) {
          const err = mapTelegramError(e);
          if (err instanceof InvalidCredentialsError) {
            await this.connections.setStatus(conn, 'error', `polling getUpdates: ${err.message}`);
            return;
          }
          this.logger.warn(`polling ${connectionId}: ${err.message}`);
          await new Promise((r) => setTimeout(r, 2000));
        }
      }
    } finally {
      await this.redis.client.eval(RELEASE, 1, key, this.owner).catch(() => undefined);
    }
  }

  private async pollOnce(conn: PlatformConnection, offset: number | undefined): Promise<number | undefined> {
    const creds = await this.connections.credentialsOf(conn);
    const tg = this.api.client(creds.botToken);
    const updates = (await tg.getUpdates(this.config.platform(TELEGRAM_CONFIG).polling.timeoutSeconds, 100, offset as number, [
      ...TELEGRAM_ALLOWED_UPDATES,
    ])) as unknown as TgUpdate[];
    let next = offset;
    for (const u of updates) {
      await this.inbound.ingest(conn, { dedupeKey: String(u.update_id), orderingKey: orderingKeyOf(u), payload: u as unknown as Record<string, unknown> });
      if (u.callback_query) await this.clicks.answer(conn, u); // a button click is answered at once
      next = u.update_id + 1; // confirms it to Telegram on the next call
    }
    return next;
  }
}

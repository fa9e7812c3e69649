import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { OutboxWakeup } from '../events/outbox-wakeup';
import { Clock } from '../common/clock';

/** The PostgreSQL channel dispatchers LISTEN on. Its payload is the sender's random origin id, nothing else. */
export const WAKEUP_CHANNEL = 'webhook_deliveries_due';
const RECONNECT_MS = 1000;
/** At most one cross-process signal per this many ms (a publishing burst sends a handful, not one per commit). */
const NOTIFY_INTERVAL_MS = 5;

/**
 * "Deliveries may be due now": called after a publishing transaction commits (the outbox's `OutboxWakeup` port), and
 * by retry/recover.
 * - In this process: an EventEmitter, at once.
 * - Other processes: `pg_notify` on its own short statement after the commit, coalesced (one in flight, at most one
 *   per 5 ms; signals that arrive meanwhile share one trailing notify), heard by each dispatcher's LISTEN connection. A NOTIFY inside the
 *   publishing transaction would be atomic but serializes every commit on PostgreSQL's notify lock (ADR 0005).
 * A lost signal only delays: dispatchers also poll every WEBHOOK_POLL_INTERVAL_MS.
 * Its two statements (`pg_notify`, and `LISTEN` on its own connection) touch no table: they are the wake-up's
 * transport, infrastructure like database/'s advisory locks, so they stay here rather than in a repository.
 */
@Injectable()
export class DeliveryWakeup implements OutboxWakeup, OnApplicationShutdown {
  private readonly logger = new Logger('DeliveryWakeup');
  /** Tells our own notifications apart (this process's dispatcher was already woken locally). */
  readonly origin = randomBytes(8).toString('hex');
  private readonly local = new EventEmitter();
  private notifying = false;
  private again = false;
  private warned = false;
  private listener?: Client;
  private listeners: (() => void)[] = [];
  private reconnectTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.local.setMaxListeners(0);
  }

  signal(): void {
    if (this.closed) return;
    this.local.emit('due');
    this.notifyOthers();
  }

  /** Calls `fn` whenever deliveries may have become due, here or (through PostgreSQL) in another process. */
  async subscribe(fn: () => void): Promise<void> {
    this.local.on('due', fn);
    this.listeners.push(fn);
    if (this.listeners.length === 1) await this.listen();
  }

  private notifyOthers(): void {
    if (this.notifying) {
      this.again = true;
      return;
    }
    this.notifying = true;
    this.again = false;
    const sentAt = this.clock.nowMs();
    this.dataSource
      .query('SELECT pg_notify($1, $2)', [WAKEUP_CHANNEL, this.origin])
      .then(
        () => (this.warned = false),
        (e: unknown) => {
          if (!this.warned) this.logger.warn(`could not wake other dispatchers (they poll): ${(e as Error).message}`);
          this.warned = true;
        },
      )
      .finally(() => {
        // the next one (if asked meanwhile) no sooner than NOTIFY_INTERVAL_MS after this one was sent
        setTimeout(() => {
          this.notifying = false;
          if (this.again && !this.closed) this.notifyOthers();
        }, Math.max(0, sentAt + NOTIFY_INTERVAL_MS - this.clock.nowMs()));
      });
  }

  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.config.database.url, application_name: 'switchboard-wakeup' });
    this.listener = client;
    const retry = (): void => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (!this.closed) this.reconnectTimer = setTimeout(() => void this.listen(), RECONNECT_MS);
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (msg) => {
      if (msg.payload !== this.origin) for (const fn of this.listeners) fn();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${WAKEUP_CHANNEL}`);
      for (const fn of this.listeners) fn(); // catch up with whatever was signalled while not listening
    } catch (e) {
      this.logger.warn(`cannot LISTEN for webhook wake-ups (polling meanwhile): ${(e as Error).message}`);
      retry();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.local.removeAllListeners();
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
  }
}

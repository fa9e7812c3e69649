import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AppConfig } from '../config/app-config';
import { ScheduledJobs } from '../database/scheduled-jobs';
import { ConversationLeaseRepository } from './conversation-lease.repository';

/**
 * The conversation leases this process holds. One holder id per process; a key is held at most once in the process
 * too. Every lease held is renewed by one statement every third of INBOUND_LEASE_S; a lease found lost (it expired
 * while this process stalled, and someone took it) is dropped, and its drain stops before its next message.
 */
const RENEW_JOB = 'inbound-lease-renewal';

@Injectable()
export class LeaseKeeper implements OnModuleDestroy {
  private readonly logger = new Logger('LeaseKeeper');
  readonly holder = `${hostname().slice(0, 60)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** Leases this process holds (renewed). */
  private readonly held = new Set<string>();
  /** Keys being taken, held, or being released by this process. */
  private readonly reserved = new Set<string>();
  /** Keys a caller of this process was turned away from while they were reserved. */
  private readonly wokenLocally = new Set<string>();

  constructor(
    private readonly leases: ConversationLeaseRepository,
    private readonly config: AppConfig,
    private readonly jobs: ScheduledJobs,
  ) {}

  /**
   * Takes `key` for this process, or returns false when anyone (this process included) holds it. A key is reserved
   * from before its take until after its release has reached the database, so one process never races itself; a
   * caller turned away inside the process is remembered like a turned-away one elsewhere (`wake`).
   */
  async tryAcquire(key: string): Promise<boolean> {
    if (this.reserved.has(key)) {
      this.wokenLocally.add(key);
      return false;
    }
    this.reserved.add(key);
    try {
      if (await this.leases.tryAcquire(key, this.holder, this.config.inbound.leaseSeconds)) {
        this.held.add(key);
        this.startRenewing();
        return true;
      }
    } catch (e) {
      this.reserved.delete(key);
      throw e;
    }
    this.reserved.delete(key);
    return false;
  }

  holds(key: string): boolean {
    return this.held.has(key);
  }

  /** Gives `key` up; true when someone was turned away meanwhile (there may be more to do). */
  async release(key: string): Promise<boolean> {
    if (!this.reserved.has(key)) return false;
    const wasHeld = this.held.delete(key);
    if (!this.held.size) this.stopRenewing();
    try {
      const woken = wasHeld ? await this.leases.release(key, this.holder) : false; // a lost lease is someone else's row now
      return woken || this.wokenLocally.has(key);
    } finally {
      this.reserved.delete(key);
      this.wokenLocally.delete(key);
    }
  }

  /** Runs `fn` holding `key`; `{acquired: false}` (and nothing run) when the lease is taken. */
  async withLease<T>(key: string, fn: () => Promise<T>): Promise<{ acquired: true; result: T; woken: boolean } | { acquired: false }> {
    if (!(await this.tryAcquire(key))) return { acquired: false };
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      await this.release(key).catch((err: unknown) => this.logger.warn(`could not release lease ${key}: ${(err as Error).message}`));
      throw e;
    }
    let woken = true; // unsure whether it was released: look again rather than leave an event behind
    try {
      woken = await this.release(key);
    } catch (err) {
      this.logger.warn(`could not release lease ${key}: ${(err as Error).message}`);
    }
    return { acquired: true, result, woken };
  }

  async renewNow(): Promise<void> {
    const keys = [...this.held];
    if (!keys.length) return;
    const lost = await this.leases.renew(keys, this.holder, this.config.inbound.leaseSeconds);
    for (const k of lost) {
      this.held.delete(k);
      this.logger.warn(`lease ${k} was lost (expired and taken over); its drain stops after the current message`);
    }
  }

  onModuleDestroy(): void {
    this.stopRenewing();
  }

  private startRenewing(): void {
    // per process (no lock): each process renews the leases it holds, only while it holds some
    if (this.jobs.has(RENEW_JOB)) return;
    const every = Math.max(200, (this.config.inbound.leaseSeconds * 1000) / 3);
    this.jobs.local(
      RENEW_JOB,
      every,
      () => this.renewNow().catch((e: unknown) => this.logger.warn(`could not renew leases: ${(e as Error).message}`)),
      { unref: true },
    );
  }

  private stopRenewing(): void {
    this.jobs.stop(RENEW_JOB);
  }
}

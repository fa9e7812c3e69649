import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Runs a scheduled job on one replica at a time, using a PostgreSQL advisory lock keyed by the job name. */
@Injectable()
export class SchedulerLock {
  private readonly logger = new Logger(SchedulerLock.name);
  private readonly running = new Set<string>();

  constructor(private readonly dataSource: DataSource) {}

  /** Returns false (and runs nothing) when another replica, or this one, is already running `name`. Errors are logged. */
  async runExclusive(name: string, fn: () => Promise<void>): Promise<boolean> {
    try {
      const r = await this.tryWithLock(name, async () => {
        try {
          await fn();
        } catch (e) {
          this.logger.error({ err: e, job: name }, 'scheduled job failed');
        }
      });
      return r.acquired;
    } catch (e) {
      // The lock's own queries failed (database unreachable, or the pool closing on shutdown): skip this run. Timers
      // call this with `void`, so a rejection here would be unhandled and end the process.
      this.logger.warn({ err: e, job: name }, 'scheduled job skipped: its lock could not be taken');
      return false;
    }
  }

  /**
   * Runs `fn` holding the session advisory lock `name` (any replica), or returns `{acquired: false}` at once when
   * someone holds it. Errors from `fn` propagate.
   */
  async tryWithLock<T>(name: string, fn: () => Promise<T>): Promise<{ acquired: true; result: T } | { acquired: false }> {
    if (this.running.has(name) || !this.dataSource.isInitialized) return { acquired: false };
    this.running.add(name);
    const qr = this.dataSource.createQueryRunner();
    try {
      await qr.connect();
      const [{ locked }] = (await qr.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [name])) as { locked: boolean }[];
      if (!locked) return { acquired: false };
      try {
        return { acquired: true, result: await fn() };
      } finally {
        await qr.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
      }
    } finally {
      await qr.release();
      this.running.delete(name);
    }
  }
}

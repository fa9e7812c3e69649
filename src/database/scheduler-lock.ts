import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Runs a scheduled job on one replica at a time, using a PostgreSQL advisory lock keyed by the job name. */
@Injectable()
export class SchedulerLock {
  private readonly logger = new Logger(SchedulerLock.name);
  private readonly running = new Set<string>();

  constructor(private readonly dataSource: DataSource) {}

  /** Returns false (and runs nothing) when another replica, or this one, is already running `name`. */
  async runExclusive(name: string, fn: () => Promise<void>): Promise<boolean> {
    if (this.running.has(name) || !this.dataSource.isInitialized) return false;
    this.running.add(name);
    const qr = this.dataSource.createQueryRunner();
    try {
      await qr.connect();
      const [{ locked }] = (await qr.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [name])) as { locked: boolean }[];
      if (!locked) return false;
      try {
        await fn();
      } catch (e) {
        this.logger.error({ err: e, job: name }, 'scheduled job failed');
      } finally {
        await qr.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
      }
      return true;
    } finally {
      await qr.release();
      this.running.delete(name);
    }
  }
}

import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { SchedulerLock } from './scheduler-lock';

export interface EveryOptions {
  /** Do not keep the process alive for this timer alone (per-process housekeeping). */
  unref?: boolean;
}

/**
 * The one way to run work on a timer: @nestjs/schedule's SchedulerRegistry intervals, named, stopped on shutdown
 * (here at module destroy, before the database closes; ScheduleModule would clear them too).
 * - `exclusive`: a job for the whole deployment — each run takes the PostgreSQL advisory lock named like the job
 *   (SchedulerLock), so one replica runs it at a time; failures are logged.
 * - `local`: per-process work (lease renewals, a Redis probe, a scan feeding this process's loops): no lock.
 * A run is never started while the previous run of the same job is still going.
 */
@Injectable()
export class ScheduledJobs implements OnModuleDestroy {
  private readonly logger = new Logger('ScheduledJobs');
  private readonly mine = new Set<string>();
  private readonly busy = new Set<string>();
  private stopped = false;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly lock: SchedulerLock,
  ) {}

  /** Every `everyMs`, one replica (the advisory lock `name`) runs `fn`. `everyMs <= 0` schedules nothing. */
  exclusive(name: string, everyMs: number, fn: () => Promise<unknown>): void {
    this.local(name, everyMs, () => this.runExclusive(name, fn));
  }

  /** Runs the exclusive job `name` now, outside its timer (e.g. when Redis comes back). False if someone holds it. */
  runExclusive(name: string, fn: () => Promise<unknown>): Promise<boolean> {
    return this.lock.runExclusive(name, async () => void (await fn()));
  }

  /** Every `everyMs`, this process runs `fn` (no lock); errors are logged. `everyMs <= 0` schedules nothing. */
  local(name: string, everyMs: number, fn: () => unknown, opts: EveryOptions = {}): void {
    if (everyMs <= 0 || this.stopped) return;
    const timer = setInterval(() => void this.tick(name, fn), everyMs);
    if (opts.unref) timer.unref();
    this.registry.addInterval(name, timer);
    this.mine.add(name);
  }

  /** Stops the job `name` (no-op when it is not scheduled). */
  stop(name: string): void {
    if (!this.mine.delete(name)) return;
    if (this.registry.doesExist('interval', name)) this.registry.deleteInterval(name);
  }

  has(name: string): boolean {
    return this.mine.has(name);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const name of [...this.mine]) this.stop(name);
  }

  private async tick(name: string, fn: () => unknown): Promise<void> {
    if (this.busy.has(name)) return;
    this.busy.add(name);
    try {
      await fn();
    } catch (e) {
      this.logger.warn({ err: e, job: name }, 'scheduled job failed');
    } finally {
      this.busy.delete(name);
    }
  }
}

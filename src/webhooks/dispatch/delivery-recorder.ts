import { Logger } from '@nestjs/common';
import { AttemptRecord, DeliveryBatchRepository } from './delivery-batch.repository';

const MAX_BATCH = 1000;
/** Statements writing results at the same time (the dispatcher's pool has room for them and a claim). */
const MAX_WRITES = 2;
const RETRY_MS = 1000;
/**
 * Results gather this long (or until GATHER_ROWS are waiting) before a write: a statement costs PostgreSQL much the
 * same for 10 rows as for 100, so at a few thousand deliveries a second bigger writes leave it time for the rest.
 */
const GATHER_MS = 20;
const GATHER_ROWS = 200;

/**
 * Results wait here until they are written, all together: one statement for every attempt that finished while the
 * previous writes were running (group commit). Under light load that is one attempt at once; under heavy load hundreds.
 * A failed write is retried; if the process dies first the leases run out and the deliveries are sent again.
 */
export class DeliveryRecorder {
  private attempts: AttemptRecord[] = [];
  private releases: string[] = [];
  private skips: string[] = [];
  private readonly writes = new Set<Promise<void>>();
  private writingCount = 0;
  private scheduled?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private failures = 0;
  private stopped = false;
  /** Writes and rows written, and the time spent (for the dispatcher's stats). */
  readonly stats = { writes: 0, rows: 0, ms: 0 };

  constructor(
    private readonly repo: DeliveryBatchRepository,
    private readonly claimer: string,
    /** Called after each write with the attempts it recorded. */
    private readonly onWritten: (attempts: readonly AttemptRecord[]) => void,
    private readonly logger: Logger,
  ) {}

  get pending(): number {
    return this.attempts.length + this.releases.length + this.skips.length;
  }

  /** Results not written yet (buffered or being written): their deliveries are still leased. */
  get unrecorded(): number {
    return this.pending + this.writingCount;
  }

  add(record: AttemptRecord): void {
    this.attempts.push(record);
    this.schedule();
  }

  /** Unsent: claimable again at once. */
  release(deliveryId: string): void {
    this.releases.push(deliveryId);
    this.schedule();
  }

  /** Its endpoint is disabled: skipped. */
  skip(deliveryId: string): void {
    this.skips.push(deliveryId);
    this.schedule();
  }

  /** Writes everything buffered (after the writes in progress). Rejects when a write fails after stop(). */
  async flush(): Promise<void> {
    clearTimeout(this.retryTimer);
    clearTimeout(this.scheduled);
    this.retryTimer = this.scheduled = undefined;
    while (this.writes.size || this.pending) {
      if (this.pending && this.writes.size < MAX_WRITES) this.write();
      else await Promise.race(this.writes);
    }
  }

  /** No more retries after a failure (shutdown): what could not be written is covered by the leases. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  /** Writes what is gathered now instead of after GATHER_MS (a FIFO endpoint's next delivery waits for it). */
  hurry(): void {
    if (!this.scheduled) return;
    clearTimeout(this.scheduled);
    this.scheduled = undefined;
    if (this.pending && this.writes.size < MAX_WRITES && !this.retryTimer) this.write();
  }

  private schedule(): void {
    if (this.retryTimer || this.writes.size >= MAX_WRITES) return;
    if (this.pending >= GATHER_ROWS) {
      clearTimeout(this.scheduled);
      this.scheduled = undefined;
      this.write();
      return;
    }
    this.scheduled ??= setTimeout(() => {
      this.scheduled = undefined;
      if (this.pending && this.writes.size < MAX_WRITES && !this.retryTimer) this.write();
    }, GATHER_MS);
  }

  private write(): void {
    const attempts = this.attempts.splice(0, MAX_BATCH);
    const releases = this.releases.splice(0);
    const skips = this.skips.splice(0);
    const count = attempts.length + releases.length + skips.length;
    this.writingCount += count;
    const started = performance.now();
    const write = (async () => {
      try {
        await Promise.all([this.repo.record(attempts, this.claimer), this.repo.release(releases, this.claimer), this.repo.skip(skips, this.claimer)]);
      } catch (e) {
        this.failures++;
        if (this.failures === 1 || this.failures % 30 === 0) this.logger.warn({ err: e }, `could not record ${attempts.length} webhook attempts (retrying)`);
        this.attempts.unshift(...attempts);
        this.releases.push(...releases);
        this.skips.push(...skips);
        if (this.stopped) throw e;
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = undefined;
          this.schedule();
        }, RETRY_MS);
        return;
      } finally {
        this.writingCount -= count;
      }
      this.failures = 0;
      this.stats.writes++;
      this.stats.rows += count;
      this.stats.ms += performance.now() - started;
      this.onWritten(attempts);
      if (this.pending) this.schedule();
    })();
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write)).catch(() => undefined);
  }
}

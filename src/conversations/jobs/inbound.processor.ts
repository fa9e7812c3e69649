import { Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import { isDataException } from '../../database/pg-errors';
import { safeErrorMessage } from '../../database/query-error';
import { QueueName } from '../../queue/queues';
import { InboundJob, InboundService } from '../inbound.service';
import { InboundPipeline } from '../inbound.pipeline';
import { LocalInboundRuns } from '../local-inbound-runs';
import { InboundWakeups, isInboundJob } from '../inbound-wakeups';

/** A run handed over in-process that failed is retried through the queue after this long. */
const LOCAL_RETRY_MS = 2000;

/**
 * Worker of the `inbound` queue. First wake-ups arrive without a BullMQ job: from this process's own ingest
 * (LocalInboundRuns, ROLE=all or a worker's own polling) or taken in batches from the wake-up list that other
 * processes push to (InboundWakeups) — at most INBOUND_CONCURRENCY such runs at once. Delayed and swept wake-ups are
 * BullMQ jobs (INBOUND_CONCURRENCY more). Agent calls are I/O; no run holds a database connection while it waits.
 */
@Processor(QueueName.Inbound)
export class InboundProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('InboundProcessor');
  private readonly localRuns = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly pipeline: InboundPipeline,
    private readonly config: AppConfig,
    private readonly local: LocalInboundRuns,
    private readonly inbound: InboundService,
    private readonly clock: Clock,
    private readonly wakeups: InboundWakeups,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.inbound.concurrency;
    this.local.serve((job) => this.runLocal(job));
    this.worker.on('resumed', () => this.wakeups.roomFreed());
    this.wakeups.consume(() => this.room(), (jobs) => this.takeWakeups(jobs), isInboundJob);
  }

  /**
   * Stops taking wake-ups (what the last take brought goes back to the list), then lets local runs finish (or fail
   * into the queue) before the process stops, as the worker's own jobs do.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const left = await this.wakeups.stop();
    await this.wakeups.giveBack(left).catch((e: unknown) => this.logger.warn(`could not give back ${left.length} wake-up(s) (the sweeper wakes them): ${safeErrorMessage(e)}`));
    await Promise.allSettled([...this.localRuns]);
  }

  /** How many more runs may start here now (none while paused or closing). */
  private room(): number {
    if (this.closing || !this.worker.isRunning() || this.worker.isPaused()) return 0;
    return this.config.inbound.concurrency - this.localRuns.size;
  }

  /** Wake-ups taken from the list: each runs here; those that find no room after all (a race) go back to the list. */
  private takeWakeups(jobs: InboundJob[]): void {
    const left = jobs.filter((job) => !this.runLocal(job));
    if (left.length) void this.wakeups.giveBack(left).catch((e: unknown) => this.logger.warn(`could not give back ${left.length} wake-up(s) (the sweeper wakes them): ${safeErrorMessage(e)}`));
  }

  /**
   * Failures no retry can fix throw `UnrecoverableError` (BullMQ makes no further attempt): a payload without an event
   * id, or a value PostgreSQL refuses (a malformed id). Anything else is retried on the queue's schedule (queues.ts).
   */
  async process(job: Job<InboundJob>): Promise<void> {
    const data = job.data as Partial<InboundJob> | null;
    if (typeof data?.eventId !== 'string') throw new UnrecoverableError('inbound job without an event id');
    try {
      await this.pipeline.handleJob(job.data);
    } catch (e) {
      if (isDataException(e)) throw new UnrecoverableError(`inbound job ${job.id}: PostgreSQL refused a value (not retried): ${safeErrorMessage(e)}`);
      throw e;
    }
  }

  /** Starts `job` in this process now; false (the caller enqueues it) when paused, closing or full. */
  private runLocal(job: InboundJob): boolean {
    if (this.room() <= 0) return false;
    const run = this.pipeline
      .handleJob(job)
      .catch((e: unknown) => {
        const reason = safeErrorMessage(e);
        if (isDataException(e)) return this.logger.warn(`inbound event ${job.eventId}: PostgreSQL refused a value (not retried): ${reason}`);
        this.logger.warn(`inbound event ${job.eventId}: ${reason}; retrying through the queue`);
        return this.inbound.enqueue(job, { at: new Date(this.clock.nowMs() + LOCAL_RETRY_MS) }).then(() => undefined);
      })
      .finally(() => {
        this.localRuns.delete(run);
        this.wakeups.roomFreed();
      });
    this.localRuns.add(run);
    return true;
  }
}

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

/** A run handed over in-process that failed is retried through the queue after this long. */
const LOCAL_RETRY_MS = 2000;

/**
 * Worker: one `inbound` job per wake-up. Agent calls are I/O, so INBOUND_CONCURRENCY jobs run at once; none holds a
 * database connection while it waits. In a process that also takes the webhooks (ROLE=all) it serves LocalInboundRuns
 * too: a just-stored event runs here at once, without a job, while the worker runs and has room (at most
 * INBOUND_CONCURRENCY such runs, besides the queue's).
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
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.inbound.concurrency;
    this.local.serve((job) => this.runLocal(job));
  }

  /** Local runs finish (or fail into the queue) before the process stops, as the worker's own jobs do. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.localRuns]);
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
    if (this.closing || this.localRuns.size >= this.config.inbound.concurrency || !this.worker.isRunning() || this.worker.isPaused()) return false;
    const run = this.pipeline
      .handleJob(job)
      .catch((e: unknown) => {
        const reason = safeErrorMessage(e);
        if (isDataException(e)) return this.logger.warn(`inbound event ${job.eventId}: PostgreSQL refused a value (not retried): ${reason}`);
        this.logger.warn(`inbound event ${job.eventId}: ${reason}; retrying through the queue`);
        return this.inbound.enqueue(job, { at: new Date(this.clock.nowMs() + LOCAL_RETRY_MS) }).then(() => undefined);
      })
      .finally(() => this.localRuns.delete(run));
    this.localRuns.add(run);
    return true;
  }
}

import { Processor, WorkerHost } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { isDataException } from '../../database/pg-errors';
import { safeErrorMessage } from '../../database/query-error';
import { QueueName } from '../../queue/queues';
import { InboundJob } from '../inbound.service';
import { InboundPipeline } from '../inbound.pipeline';

/**
 * Worker: one `inbound` job per wake-up. Agent calls are I/O, so INBOUND_CONCURRENCY (default 256) jobs run at once;
 * none holds a database connection while it waits.
 */
@Processor(QueueName.Inbound)
export class InboundProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly pipeline: InboundPipeline,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.inbound.concurrency;
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
}

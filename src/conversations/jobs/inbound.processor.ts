import { Processor, WorkerHost } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { AppConfig } from '../../config/app-config';
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

  async process(job: Job<InboundJob>): Promise<void> {
    await this.pipeline.handleJob(job.data);
  }
}

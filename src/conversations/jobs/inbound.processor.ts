import { Processor, WorkerHost } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { QueueName } from '../../queue/queues';
import { InboundJob } from '../inbound.service';
import { InboundPipeline } from '../inbound.pipeline';

/** Worker: one `inbound` job per stored event. A busy conversation makes the job wait (delayed), not block. */
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

  async process(job: Job<InboundJob>, token?: string): Promise<void> {
    const { retryAt } = await this.pipeline.handleJob(job.data.eventId, job.data.polls ?? 0);
    if (!retryAt) return;
    await job.updateData({ ...job.data, polls: (job.data.polls ?? 0) + 1 });
    await job.moveToDelayed(retryAt.getTime(), token);
    throw new DelayedError();
  }
}

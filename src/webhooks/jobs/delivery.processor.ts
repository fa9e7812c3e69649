import { Processor, WorkerHost } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { QueueName } from '../../queue/queues';
import { DeliverJob } from '../delivery-queue';
import { WebhookDispatcher } from '../webhook-dispatcher';

/**
 * Worker: one `deliver` job per delivery (jobId = delivery id). A retry moves the same job to delayed until the
 * row's `next_attempt_at`; the row, not the job, decides what is owed. Concurrency: WEBHOOK_CONCURRENCY.
 */
@Processor(QueueName.WebhookDeliveries)
export class DeliveryProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly dispatcher: WebhookDispatcher,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.webhooks.concurrency;
  }

  async process(job: Job<DeliverJob>, token?: string): Promise<void> {
    const { retryAt } = await this.dispatcher.attempt(job.data.deliveryId);
    if (!retryAt) return;
    await job.moveToDelayed(retryAt.getTime(), token);
    throw new DelayedError();
  }
}

import { Injectable } from '@nestjs/common';
import { InboundJob } from './inbound-job';

/** Takes a job now and returns true, or returns false when it cannot (not running here, paused, at capacity). */
export type LocalInboundRunner = (job: InboundJob) => boolean;

/**
 * In-process hand-off of first wake-ups. When the process that stores a platform event also runs the inbound worker
 * (ROLE=all), the worker takes the event at once instead of through a BullMQ job: no Redis round trips on the hot
 * path, and events are answered while Redis is down. The row in inbound_event stays the truth — a run that fails,
 * or a process that dies mid-run, is picked up like any other (a delayed retry job; the sweeper after the lease
 * expires). The inbound processor, when this process has one, serves as the runner (`serve`, once at bootstrap);
 * without one every wake-up goes to the queue.
 */
@Injectable()
export class LocalInboundRuns {
  private runner?: LocalInboundRunner;

  serve(runner: LocalInboundRunner): void {
    this.runner = runner;
  }

  tryRun(job: InboundJob): boolean {
    return this.runner?.(job) ?? false;
  }
}

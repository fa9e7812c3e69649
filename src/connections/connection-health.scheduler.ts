import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ScheduledJobs } from '../database/scheduled-jobs';
import { ConnectionHealthService } from './connection-health.service';

/** Worker only: every CONNECTION_HEALTH_INTERVAL_S, one replica checks every active connection with its platform. */
@Injectable()
export class ConnectionHealthScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('ConnectionHealth');

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: ScheduledJobs,
    private readonly health: ConnectionHealthService,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.connectionHealth.intervalSeconds;
    this.jobs.exclusive('connection-health', seconds * 1000, () => this.check());
  }

  /** One round now, on this replica if no other runs it (tests call it). */
  async tick(): Promise<void> {
    await this.jobs.runExclusive('connection-health', () => this.check());
  }

  private async check(): Promise<void> {
    const r = await this.health.runHealthChecks();
    if (r.failed) this.logger.warn(`health checks: ${r.failed} of ${r.checked} failed`);
  }
}

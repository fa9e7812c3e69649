import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SchedulerLock } from '../database/scheduler-lock';
import { ConnectionsService } from './connections.service';

/** Worker only: every CONNECTION_HEALTH_INTERVAL_S, one replica checks every active connection with its platform. */
@Injectable()
export class ConnectionHealthScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ConnectionHealth');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly lock: SchedulerLock,
    private readonly connections: ConnectionsService,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.connectionHealth.intervalSeconds;
    if (seconds > 0) this.timer = setInterval(() => void this.tick(), seconds * 1000);
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    await this.lock.runExclusive('connection-health', async () => {
      const r = await this.connections.runHealthChecks();
      if (r.failed) this.logger.warn(`health checks: ${r.failed} of ${r.checked} failed`);
    });
  }
}

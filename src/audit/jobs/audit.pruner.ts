import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { SchedulerLock } from '../../database/scheduler-lock';
import { AuditService } from '../audit.service';

const PRUNE_INTERVAL_MS = 3600_000;

/** Worker, one replica at a time: deletes audit events older than AUDIT_RETENTION_DAYS, hourly, in batches. */
@Injectable()
export class AuditPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AuditPruner');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly audit: AuditService,
    private readonly lock: SchedulerLock,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.lock.runExclusive('audit-prune', async () => void (await this.run())), PRUNE_INTERVAL_MS);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async run(): Promise<number> {
    const n = await this.audit.prune(this.config.audit.retentionDays);
    if (n) this.logger.log(`pruned ${n} audit events older than ${this.config.audit.retentionDays} days`);
    return n;
  }
}

import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ScheduledJobs } from '../../database/scheduled-jobs';
import { AuditService } from '../audit.service';

const PRUNE_INTERVAL_MS = 3600_000;

/** Worker, one replica at a time: deletes audit events older than AUDIT_RETENTION_DAYS, hourly, in batches. */
@Injectable()
export class AuditPruner implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuditPruner');

  constructor(
    private readonly audit: AuditService,
    private readonly jobs: ScheduledJobs,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.exclusive('audit-prune', PRUNE_INTERVAL_MS, () => this.run());
  }

  async run(): Promise<number> {
    const n = await this.audit.prune(this.config.audit.retentionDays);
    if (n) this.logger.log(`pruned ${n} audit events older than ${this.config.audit.retentionDays} days`);
    return n;
  }
}

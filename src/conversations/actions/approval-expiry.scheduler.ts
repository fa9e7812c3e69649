import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../../config/app-config';
import { SchedulerLock } from '../../database/scheduler-lock';
import { ActionTurns } from './action-turns';

const JOB = 'approval-expiry';

/**
 * Worker, one replica at a time (SchedulerLock): every APPROVAL_SWEEP_INTERVAL_S, approvals whose `expiresInS` passed
 * are resolved as `expired` — `approval.decided` published, the message redrawn without its buttons. The interval is
 * registered with @nestjs/schedule's SchedulerRegistry, which clears it on shutdown.
 */
@Injectable()
export class ApprovalExpiryScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApprovalExpiry');

  constructor(
    private readonly turns: ActionTurns,
    private readonly lock: SchedulerLock,
    private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const s = this.config.inbound.approvalSweepIntervalSeconds;
    if (s > 0) this.registry.addInterval(JOB, setInterval(() => void this.tick(), s * 1000));
  }

  /** One sweep (batches of 100 until none is due); false when another replica is sweeping. */
  tick(): Promise<boolean> {
    return this.lock.runExclusive(JOB, async () => {
      let total = 0;
      for (let n = await this.turns.expireDue(); n > 0; n = await this.turns.expireDue()) total += n;
      if (total) this.logger.log(`${total} approval(s) expired`);
    });
  }
}

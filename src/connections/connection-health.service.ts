import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { ConnectionsRepository } from './connections.repository';
import { ConnectionsService } from './connections.service';
import { ConnectorRegistry } from './connector-registry';
import { PlatformConnection } from './entities/platform-connection.entity';
import { Credentials, InvalidCredentialsError, PlatformRejectedError, PlatformUnavailableError } from './platform-connector';

/**
 * Health checks of active connections with their platforms: CONNECTION_HEALTH_FAILURES failures in a row move a
 * connection to `error` (ConnectionHealthScheduler runs a pass every CONNECTION_HEALTH_INTERVAL_S on one replica).
 */
@Injectable()
export class ConnectionHealthService {
  constructor(
    private readonly repo: ConnectionsRepository,
    private readonly service: ConnectionsService,
    private readonly registry: ConnectorRegistry,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** One health-check pass over active connections (the scheduler calls this under an advisory lock). */
  async runHealthChecks(concurrency = 8): Promise<{ checked: number; failed: number }> {
    const rows = await this.repo.activeByLastCheck();
    let failed = 0;
    const queue = [...rows];
    const work = async (): Promise<void> => {
      for (let conn = queue.shift(); conn; conn = queue.shift()) if (!(await this.checkOne(conn))) failed++;
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, work));
    return { checked: rows.length, failed };
  }

  private async checkOne(conn: PlatformConnection): Promise<boolean> {
    const connector = this.registry.get(conn.platform);
    const now = this.clock.now();
    let creds: Credentials;
    try {
      creds = await this.service.credentialsOf(conn);
    } catch {
      return false; // already moved to error with the reason
    }
    try {
      await connector.healthCheck(conn, creds);
      await this.repo.update(conn.id, { consecutiveFailures: 0, lastCheckedAt: now, errorMessage: null });
      return true;
    } catch (e) {
      const reason =
        e instanceof InvalidCredentialsError || e instanceof PlatformUnavailableError || e instanceof PlatformRejectedError
          ? e.message
          : 'health check failed';
      const failures = conn.consecutiveFailures + 1;
      await this.repo.update(conn.id, { consecutiveFailures: failures, lastCheckedAt: now, errorMessage: reason });
      conn.consecutiveFailures = failures;
      if (failures >= this.config.connectionHealth.failureThreshold) {
        await this.service.setStatus(conn, 'error', `${failures} health checks in a row failed: ${reason}`);
      }
      return false;
    }
  }
}

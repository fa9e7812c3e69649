import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { EventPublisher } from '../events/event-publisher';
import { ConnectionChanges } from './connection-changes';
import { ConnectionsRepository } from './connections.repository';
import { ConnectionStatus, PlatformConnection } from './entities/platform-connection.entity';

/**
 * A connection's status changes: the row, its connection_status_change record and `platform_connection.status_changed`
 * in one transaction, then every replica told (ConnectionChanges). Callers go through ConnectionsService.setStatus.
 */
@Injectable()
export class ConnectionStatusService {
  private readonly logger = new Logger('Connections');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: ConnectionsRepository,
    private readonly events: EventPublisher,
    private readonly changeNotices: ConnectionChanges,
    private readonly clock: Clock,
  ) {}

  /**
   * Moves a connection to a status, records the change and publishes it, in one transaction; then every replica.
   * Back to `active`, the error message and the failure count are cleared.
   */
  async set(conn: PlatformConnection, to: ConnectionStatus, reason: string | null): Promise<void> {
    const changed = await this.dataSource.transaction(async (em) => {
      const locked = await this.repo.lock(em, conn.id);
      if (!locked) return false;
      const from = locked.status;
      const patch =
        to === 'error' ? { status: to, errorMessage: reason } : to === 'active' ? { status: to, errorMessage: null, consecutiveFailures: 0 } : { status: to };
      await this.repo.update(conn.id, patch, em);
      Object.assign(conn, { errorMessage: locked.errorMessage }, patch);
      if (from !== to) await this.record(em, conn, from, to, reason);
      return from !== to;
    });
    if (changed) this.changeNotices.announce(conn.id);
  }

  /** Records a change the caller made in `em`'s transaction (the row is the caller's to save) and publishes it. */
  async record(em: EntityManager, conn: PlatformConnection, from: ConnectionStatus, to: ConnectionStatus, reason: string | null): Promise<void> {
    await this.repo.insertStatusChange(em, { connectionId: conn.id, teamId: conn.teamId, fromStatus: from, toStatus: to, reason });
    this.logger.log(`connection ${conn.id} (${conn.platform}) ${from} → ${to}${reason ? `: ${reason}` : ''}`);
    // Only identifiers and statuses: never the connection's credentials, hints or settings.
    await this.events.publish(em, {
      type: 'platform_connection.status_changed',
      teamId: conn.teamId,
      data: { connection_id: conn.id, agent_id: conn.agentId, platform: conn.platform, from, to, reason, changed_at: this.clock.now().toISOString() },
    });
  }
}

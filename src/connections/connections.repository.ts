import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { Page, PageQuery, paginate } from '../common/pagination';
import { ConnectionStatusChange } from './entities/connection-status-change.entity';
import { ConnectionStatus, Platform, PlatformConnection } from './entities/platform-connection.entity';
import { retryOnDeadlock } from '../database/pg-errors';

/** The platform_connection and connection_status_change tables' statements (other modules call ConnectionsService). */
@Injectable()
export class ConnectionsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(PlatformConnection) private readonly connections: Repository<PlatformConnection>,
    @InjectRepository(ConnectionStatusChange) private readonly changes: Repository<ConnectionStatusChange>,
  ) {}

  /** A new, unsaved connection. */
  build(fields: Partial<PlatformConnection>): PlatformConnection {
    return this.connections.create(fields);
  }

  /** Inserts or updates the whole row; with `em`, in the caller's transaction. */
  save(conn: PlatformConnection, em?: EntityManager): Promise<PlatformConnection> {
    return (em ? em.getRepository(PlatformConnection) : this.connections).save(conn);
  }

  findByIds(ids: string[]): Promise<PlatformConnection[]> {
    return this.connections.findBy({ id: In(ids) });
  }

  findById(id: string): Promise<PlatformConnection | null> {
    return this.connections.findOneBy({ id });
  }

  find(teamId: string, agentId: string, id: string): Promise<PlatformConnection | null> {
    return this.connections.findOneBy({ id, teamId, agentId });
  }

  /** The agent's connection to `platform` (at most one). */
  findOfAgent(agentId: string, platform: Platform): Promise<PlatformConnection | null> {
    return this.connections.findOneBy({ agentId, platform });
  }

  existsOfAgent(agentId: string, platform: Platform): Promise<boolean> {
    return this.connections.existsBy({ agentId, platform });
  }

  /** A team's connections, newest first, narrowed to an agent, a platform or a status when given. */
  list(teamId: string, where: { agentId?: string; platform?: Platform; status?: ConnectionStatus }, page: PageQuery): Promise<Page<PlatformConnection>> {
    const qb = this.connections.createQueryBuilder('c').where('c.teamId = :teamId', { teamId });
    if (where.agentId) qb.andWhere('c.agentId = :agentId', { agentId: where.agentId });
    if (where.platform) qb.andWhere('c.platform = :platform', { platform: where.platform });
    if (where.status) qb.andWhere('c.status = :status', { status: where.status });
    return paginate(qb, page);
  }

  /** Active connections, the longest unchecked first (never checked before all others). */
  activeByLastCheck(): Promise<PlatformConnection[]> {
    return this.connections.find({ where: { status: 'active' }, order: { lastCheckedAt: { direction: 'ASC', nulls: 'FIRST' } } });
  }

  async delete(id: string): Promise<void> {
    await retryOnDeadlock(() => this.connections.delete({ id })); // cascades into busy conversations' rows
  }

  /** The row locked FOR UPDATE, in `em`'s transaction. */
  lock(em: EntityManager, id: string): Promise<PlatformConnection | null> {
    return em.getRepository(PlatformConnection).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Sets columns of one row; with `em`, in the caller's transaction. */
  async update(id: string, patch: Partial<Pick<PlatformConnection, 'status' | 'errorMessage' | 'consecutiveFailures' | 'lastCheckedAt' | 'lastEventAt'>>, em?: EntityManager): Promise<void> {
    await (em ? em.getRepository(PlatformConnection) : this.connections).update({ id }, patch);
  }

  /** Merges `patch` into the connection's platform_info (one statement, no read first). */
  async mergePlatformInfo(id: string, patch: Record<string, unknown>): Promise<void> {
    await this.dataSource.query('UPDATE platform_connection SET platform_info = platform_info || $2::jsonb WHERE id = $1', [id, JSON.stringify(patch)]);
  }

  /** Ids of the active connections of `platform` whose `settings.mode` is `mode`, in id order. */
  async activeIdsInMode(platform: Platform, mode: string): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT id FROM platform_connection WHERE platform = $1 AND status = 'active' AND settings->>'mode' = $2 ORDER BY id`, [
      platform,
      mode,
    ])) as { id: string }[];
    return rows.map((r) => r.id);
  }

  // ---- status history -----------------------------------------------------------------------------------------

  async insertStatusChange(em: EntityManager, row: Pick<ConnectionStatusChange, 'connectionId' | 'teamId' | 'fromStatus' | 'toStatus' | 'reason'>): Promise<void> {
    await em.getRepository(ConnectionStatusChange).insert(row);
  }

  /** The connection's latest status changes, newest first. */
  recentStatusChanges(connectionId: string, limit: number): Promise<ConnectionStatusChange[]> {
    return this.changes.find({ where: { connectionId }, order: { createdAt: 'DESC' }, take: limit });
  }
}

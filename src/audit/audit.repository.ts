import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Page, PageQuery, paginate } from '../common/pagination';
import { AuditActorType, AuditEvent } from './entities/audit-event.entity';

export interface AuditFilter {
  actorType?: AuditActorType;
  actorId?: string;
  action?: string;
  since?: Date;
  until?: Date;
}

/** The audit_event table's statements. */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One row; with `em`, inside the caller's transaction. */
  async insert(row: Omit<AuditEvent, 'id' | 'createdAt'>, em: EntityManager = this.dataSource.manager): Promise<void> {
    // jsonb columns: TypeORM's deep-partial type cannot express an arbitrary object, the row itself is fully typed
    await em.getRepository(AuditEvent).insert(row as QueryDeepPartialEntity<AuditEvent>);
  }

  /** A team's events, newest first, filtered. */
  list(teamId: string, filter: AuditFilter, page: PageQuery): Promise<Page<AuditEvent>> {
    const qb = this.dataSource.getRepository(AuditEvent).createQueryBuilder('a').where('a.teamId = :teamId', { teamId });
    if (filter.actorType) qb.andWhere('a.actorType = :actorType', { actorType: filter.actorType });
    if (filter.actorId) qb.andWhere('a.actorId = :actorId', { actorId: filter.actorId });
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    if (filter.since) qb.andWhere('a.createdAt >= :since', { since: filter.since });
    if (filter.until) qb.andWhere('a.createdAt < :until', { until: filter.until });
    return paginate(qb, page);
  }

  /** Deletes up to `limit` events created before `cutoff`; returns how many went. */
  async deleteOlderThan(cutoff: Date, limit: number): Promise<number> {
    const rows = (await this.dataSource.query(
      `DELETE FROM audit_event WHERE id IN (
         SELECT id FROM audit_event WHERE created_at < $1 LIMIT $2
       ) RETURNING 1`,
      [cutoff, limit],
    )) as unknown[];
    return rows.length;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Page, PageQuery, mapPage, paginate } from '../common/pagination';
import { AuditActorType, AuditEvent } from './entities/audit-event.entity';
import { redactForAudit } from './redact';
import { Clock } from '../common/clock';

export interface AuditEntry {
  teamId: string | null;
  actorType: AuditActorType;
  actorId: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
  clientIp?: string | null;
}

export interface AuditEventView {
  id: string;
  teamId: string | null;
  actor: { type: AuditActorType; id: string | null };
  action: string;
  target: { type: string | null; id: string | null };
  before: unknown;
  after: unknown;
  requestId: string | null;
  clientIp: string | null;
  createdAt: Date;
}

export interface AuditFilter {
  actorType?: AuditActorType;
  actorId?: string;
  action?: string;
  since?: Date;
  until?: Date;
}

const toView = (e: AuditEvent): AuditEventView => ({
  id: e.id,
  teamId: e.teamId,
  actor: { type: e.actorType, id: e.actorId },
  action: e.action,
  target: { type: e.targetType, id: e.targetId },
  before: e.before ?? null,
  after: e.after ?? null,
  requestId: e.requestId,
  clientIp: e.clientIp,
  createdAt: e.createdAt,
});

const DAY_MS = 86_400_000;

/** The audit log: records changes (secrets stripped here, whatever the caller passes), lists them, prunes old ones. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource, private readonly clock: Clock) {}

  /** Records one event; pass the change's EntityManager to make it part of the change's transaction. */
  async record(entry: AuditEntry, em: EntityManager = this.dataSource.manager): Promise<void> {
    const row: Omit<AuditEvent, 'id' | 'createdAt'> = {
      teamId: entry.teamId,
      actorType: entry.actorType,
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      before: redactForAudit(entry.before) as Record<string, unknown> | null,
      after: redactForAudit(entry.after) as Record<string, unknown> | null,
      requestId: entry.requestId ?? null,
      clientIp: entry.clientIp ?? null,
    };
    // jsonb columns: TypeORM's deep-partial type cannot express an arbitrary object, the row itself is fully typed
    await em.getRepository(AuditEvent).insert(row as QueryDeepPartialEntity<AuditEvent>);
  }

  /** A team's events, newest first, filtered. */
  async list(teamId: string, filter: AuditFilter, page: PageQuery): Promise<Page<AuditEventView>> {
    const qb = this.dataSource.getRepository(AuditEvent).createQueryBuilder('a').where('a.teamId = :teamId', { teamId });
    if (filter.actorType) qb.andWhere('a.actorType = :actorType', { actorType: filter.actorType });
    if (filter.actorId) qb.andWhere('a.actorId = :actorId', { actorId: filter.actorId });
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    if (filter.since) qb.andWhere('a.createdAt >= :since', { since: filter.since });
    if (filter.until) qb.andWhere('a.createdAt < :until', { until: filter.until });
    return mapPage(await paginate(qb, page), toView);
  }

  /** Deletes events older than `days`, `batch` rows per statement; returns how many went. */
  async prune(days: number, batch = 5000): Promise<number> {
    let total = 0;
    const cutoff = new Date(this.clock.nowMs() - days * DAY_MS);
    for (;;) {
      const rows = (await this.dataSource.query(
        `DELETE FROM audit_event WHERE id IN (
           SELECT id FROM audit_event WHERE created_at < $1 LIMIT $2
         ) RETURNING 1`,
        [cutoff, batch],
      )) as unknown[];
      total += rows.length;
      if (rows.length < batch) return total;
    }
  }
}

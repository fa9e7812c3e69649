import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Page, PageQuery, mapPage } from '../common/pagination';
import { AuditFilter, AuditRepository } from './audit.repository';
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
  constructor(
    private readonly repo: AuditRepository,
    private readonly clock: Clock,
  ) {}

  /** Records one event; pass the change's EntityManager to make it part of the change's transaction. */
  async record(entry: AuditEntry, em?: EntityManager): Promise<void> {
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
    await this.repo.insert(row, em);
  }

  /** A team's events, newest first, filtered. */
  async list(teamId: string, filter: AuditFilter, page: PageQuery): Promise<Page<AuditEventView>> {
    return mapPage(await this.repo.list(teamId, filter, page), toView);
  }

  /** Deletes events older than `days`, `batch` rows per statement; returns how many went. */
  async prune(days: number, batch = 5000): Promise<number> {
    let total = 0;
    const cutoff = new Date(this.clock.nowMs() - days * DAY_MS);
    for (;;) {
      const n = await this.repo.deleteOlderThan(cutoff, batch);
      total += n;
      if (n < batch) return total;
    }
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { InboundEvent, InboundStatus } from './entities/inbound-event.entity';

/** What POST …/events/:eventId/replay accepts. */
export const REPLAYABLE: InboundStatus[] = ['failed', 'ignored'];

/** The event log's columns: everything but the payload. */
const LOG_COLUMNS = [
  'id',
  'seq',
  'connectionId',
  'platform',
  'dedupeKey',
  'orderingKey',
  'status',
  'error',
  'attempts',
  'receivedAt',
  'processedAt',
  'notBefore',
  'conversationId',
  'replyMessageId',
] as const satisfies readonly (keyof InboundEvent)[];
export type EventLogRow = Pick<InboundEvent, (typeof LOG_COLUMNS)[number]>;

export interface EventLogFilter {
  status?: InboundStatus;
  since?: Date;
  until?: Date;
  /** Keyset cursor: events strictly older than this one. */
  after?: { receivedAt: string; seq: string };
  limit: number;
}

/**
 * The inbound_event statements of the admin API: a connection's event log (never the payload in a list), one event
 * with its payload, replay, the outcome counts of the connection's health and retention. (The pipeline's are
 * InboundEventsRepository's.)
 */
@Injectable()
export class InboundEventLogRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One page of a connection's events, newest first (keyset on received_at, seq); never the payload. */
  async listForConnection(connectionId: string, filter: EventLogFilter): Promise<EventLogRow[]> {
    const qb = this.repo()
      .createQueryBuilder('e')
      .select(LOG_COLUMNS.map((c) => `e.${c}`))
      .where('e.connectionId = :connectionId', { connectionId });
    if (filter.status) qb.andWhere('e.status = :status', { status: filter.status });
    if (filter.since) qb.andWhere('e.receivedAt >= :since', { since: filter.since });
    if (filter.until) qb.andWhere('e.receivedAt < :until', { until: filter.until });
    if (filter.after) qb.andWhere('(e.receivedAt, e.seq) < (:afterT, :afterSeq)', { afterT: filter.after.receivedAt, afterSeq: filter.after.seq });
    return qb.orderBy('e.receivedAt', 'DESC').addOrderBy('e.seq', 'DESC').limit(filter.limit).getMany();
  }

  /** One event of the connection, with its payload. */
  findInConnection(connectionId: string, id: string): Promise<InboundEvent | null> {
    return this.repo().findOneBy({ id, connectionId });
  }

  /**
   * Puts a failed or ignored event back to `received` with fresh attempt counters, keeping its conversation and stored
   * reply (the pipeline then resends that reply instead of asking the agent again). Returns the event, or nothing when
   * it is not (or no longer) failed or ignored.
   */
  async replay(connectionId: string, id: string): Promise<InboundEvent | null> {
    const r = await this.repo()
      .createQueryBuilder()
      .update(InboundEvent)
      .set({ status: 'received', attempts: 0, agentAttempts: 0, notBefore: null, error: null, processedAt: null })
      .where('id = :id AND connectionId = :connectionId AND status IN (:...from)', { id, connectionId, from: REPLAYABLE })
      .execute();
    return r.affected ? this.findInConnection(connectionId, id) : null;
  }

  /** Events received since `since` that ended done or failed (one statement over the connection's received_at index). */
  async outcomesSince(connectionId: string, since: Date): Promise<{ done: number; failed: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'done')::int AS done, count(*) FILTER (WHERE status = 'failed')::int AS failed
       FROM inbound_event WHERE connection_id = $1 AND received_at >= $2`,
      [connectionId, since],
    )) as { done: number; failed: number }[];
    return row;
  }

  /**
   * Deletes up to `limit` finished events (done, ignored, failed) received before `cutoff`; returns how many. Each
   * connection's oldest are found in its received_at index, never by reading the whole table; unfinished events stay
   * whatever their age.
   */
  async pruneFinished(cutoff: Date, limit: number): Promise<number> {
    const [, n] = (await this.dataSource.query(
      `DELETE FROM inbound_event WHERE id IN (
         SELECT old.id FROM platform_connection c
         CROSS JOIN LATERAL (
           SELECT e.id FROM inbound_event e
           WHERE e.connection_id = c.id AND e.received_at < $1 AND e.status IN ('done', 'ignored', 'failed')
           ORDER BY e.received_at LIMIT $2
         ) old
         LIMIT $2
       )`,
      [cutoff, limit],
    )) as [unknown, number];
    return n;
  }

  private repo(): Repository<InboundEvent> {
    return this.dataSource.manager.getRepository(InboundEvent);
  }
}

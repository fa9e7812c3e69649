import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { InboundEvent, InboundStatus } from './entities/inbound-event.entity';

export const PENDING: InboundStatus[] = ['received', 'processing'];

export function isTerminal(s: InboundStatus): boolean {
  return s === 'done' || s === 'ignored' || s === 'failed';
}

/** A conversation's oldest unfinished event, as the sweeper sees it. */
export interface StalledHead {
  id: string;
  connectionId: string;
  orderingKey: string;
}

/** The inbound_event table's SQL: short statements, each its own round trip, never held across slow work. */
@Injectable()
export class InboundEventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findById(id: string): Promise<InboundEvent | null> {
    return this.repo().findOneBy({ id });
  }

  /** The oldest event of a conversation that is not finished yet. */
  head(connectionId: string, orderingKey: string): Promise<InboundEvent | null> {
    return this.repo()
      .createQueryBuilder('e')
      .where('e.connectionId = :connectionId AND e.orderingKey = :orderingKey', { connectionId, orderingKey })
      .andWhere('e.status IN (:...pending)', { pending: PENDING })
      .orderBy('e.seq', 'ASC')
      .limit(1)
      .getOne();
  }

  /** Counts a processing attempt; returns the new count. */
  async markProcessing(id: string): Promise<number> {
    const [rows] = (await this.dataSource.query(
      `UPDATE inbound_event SET status = 'processing', attempts = attempts + 1, not_before = NULL WHERE id = $1 RETURNING attempts`,
      [id],
    )) as [{ attempts: number }[], number];
    return rows[0]?.attempts ?? 0;
  }

  /** Puts the event (and so its conversation) on hold until `until`. */
  async hold(id: string, until: Date, error: string, agentAttempts?: number): Promise<void> {
    await this.repo().update({ id }, { notBefore: until, error, ...(agentAttempts !== undefined ? { agentAttempts } : {}) });
  }

  async finish(id: string, status: InboundStatus, error: string | null, em?: EntityManager): Promise<void> {
    await this.repo(em).update({ id }, { status, error, processedAt: new Date(), notBefore: null });
  }

  async setConversation(em: EntityManager, id: string, conversationId: string): Promise<void> {
    await this.repo(em).update({ id }, { conversationId });
  }

  async setReply(em: EntityManager, id: string, replyMessageId: string, error: string | null): Promise<void> {
    await this.repo(em).update({ id }, { replyMessageId, error });
  }

  /**
   * Conversations whose oldest unfinished event is due and that nobody works on: their holder's lease expired (the
   * worker died), or there is no lease and the event has waited `olderThanMs` since it arrived or fell due (its job was
   * lost: Redis flushed, an enqueue failed). One per conversation.
   */
  async stalledHeads(olderThanMs: number, limit = 1000): Promise<StalledHead[]> {
    return (await this.dataSource.query(
      `SELECT h.id, h.connection_id AS "connectionId", h.ordering_key AS "orderingKey"
       FROM (
         SELECT DISTINCT ON (connection_id, ordering_key) id, connection_id, ordering_key, received_at, not_before
         FROM inbound_event WHERE status IN ('received', 'processing')
         ORDER BY connection_id, ordering_key, seq
       ) h
       LEFT JOIN conversation_lease l ON l.key = 'inbound:' || h.connection_id || ':' || h.ordering_key
       WHERE (h.not_before IS NULL OR h.not_before <= now())
         AND (l.expires_at < now()
              OR (l.key IS NULL AND COALESCE(h.not_before, h.received_at) < now() - ($1::int * interval '1 millisecond')))
       LIMIT $2`,
      [olderThanMs, limit],
    )) as StalledHead[];
  }

  private repo(em?: EntityManager) {
    return (em ?? this.dataSource.manager).getRepository(InboundEvent);
  }
}

/** The lease key of a platform conversation (see conversation_lease). */
export function inboundLeaseKey(connectionId: string, orderingKey: string): string {
  return `inbound:${connectionId}:${orderingKey}`;
}

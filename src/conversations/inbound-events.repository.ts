import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { statementBatcher } from '../database/statement-batcher';
import { InboundEvent, InboundStatus } from './entities/inbound-event.entity';
import { Clock } from '../common/clock';

export const PENDING: InboundStatus[] = ['received', 'processing'];

export function isTerminal(s: InboundStatus): boolean {
  return s === 'done' || s === 'ignored' || s === 'failed';
}

interface ClaimRow {
  head_id: string;
  not_before: Date | null;
  id: string | null;
  connection_id: string;
  ordering_key: string;
  payload: Record<string, unknown>;
  attempts: number;
  agent_attempts: number;
  conversation_id: string | null;
  reply_message_id: string | null;
  error: string | null;
}

/** A conversation's oldest unfinished event: which, and when it is due (null: now). */
export interface EventHead {
  id: string;
  notBefore: Date | null;
}

/** A conversation's oldest unfinished event, as the sweeper sees it. */
export interface StalledHead {
  id: string;
  connectionId: string;
  orderingKey: string;
}

export type ClaimResult = { claimed: InboundEvent } | { heldUntil: Date; id: string } | undefined;

/** One platform event to store, as the ingest gives it (already free of NUL characters and cut to its columns). */
export interface NewInboundEvent {
  connectionId: string;
  platform: string;
  dedupeKey: string;
  orderingKey: string;
  /** The payload as jsonb text. */
  payload: string;
  status: 'received' | 'ignored';
  error: string | null;
  bodyHash: Buffer | null;
}

/** The inserted event's id; null when it was a duplicate; an Error (a deleted connection: 23503) for that event alone. */
type InsertOutcome = string | null;

const isForeignKeyViolation = (e: unknown): boolean => (e as { code?: string }).code === '23503' || (e as { driverError?: { code?: string } }).driverError?.code === '23503';

const INSERT_SQL = `INSERT INTO inbound_event (connection_id, platform, dedupe_key, ordering_key, payload, status, error, body_hash)
  VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)
  ON CONFLICT DO NOTHING
  RETURNING id`;

// Many webhooks at the same moment: one statement. No conflict target: a conflict on either unique index (dedupe key,
// body hash) — with a stored event or an earlier row of this batch — skips that row (a duplicate).
const INSERT_MANY_SQL = `INSERT INTO inbound_event (connection_id, platform, dedupe_key, ordering_key, payload, status, error, body_hash)
  SELECT connection_id, platform, dedupe_key, ordering_key, payload, status, error, body_hash
  FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::jsonb[], $6::inbound_status[], $7::text[], $8::bytea[])
    WITH ORDINALITY AS v(connection_id, platform, dedupe_key, ordering_key, payload, status, error, body_hash, ord)
  ORDER BY ord
  ON CONFLICT DO NOTHING
  RETURNING id, connection_id, dedupe_key`;

/** The head of the conversation `k` names (its connection_id and ordering_key), as `h`: shared by the look and the claim. */
const HEAD_OF_K = `CROSS JOIN LATERAL (
    SELECT e.id, e.not_before, e.connection_id, e.ordering_key FROM inbound_event e
    WHERE e.connection_id = k.connection_id AND e.ordering_key = k.ordering_key AND e.status IN ('received', 'processing')
    ORDER BY e.seq LIMIT 1
  ) h`;

/**
 * The heads of many conversations ($1 connection ids, $2 ordering keys): each one's oldest unfinished event, found in
 * IDX_inbound_event_pending (unfinished events only), never by walking past the chat's finished ones.
 */
export const HEAD_MANY_SQL = `SELECT k.ord::int AS ord, h.id, h.not_before
  FROM unnest($1::uuid[], $2::varchar[]) WITH ORDINALITY AS k(connection_id, ordering_key, ord)
  ${HEAD_OF_K}`;

interface SentCall {
  id: string;
  status: InboundStatus;
  error: string | null;
  messageId: string;
  parts: number;
  externalMessageId: string | null;
}

/**
 * The inbound_event table's SQL: short statements, never held across slow work. The two that every message makes —
 * claiming a conversation's next event and settling a sent one — are gathered across conversations into one round
 * trip each. (The admin API's event log and replay: InboundEventLogRepository.)
 */
@Injectable()
export class InboundEventsRepository {
  private readonly headBatch = statementBatcher<{ connectionId: string; orderingKey: string }, EventHead | null>((keys) => this.headMany(keys));
  private readonly claimBatch = statementBatcher<{ connectionId: string; orderingKey: string }, ClaimResult>((keys) => this.claimMany(keys));
  private readonly sentBatch = statementBatcher<SentCall, void>((calls) => this.finishSentMany(calls));
  private readonly insertBatch = statementBatcher<NewInboundEvent, InsertOutcome>((rows) => this.insertMany(rows));

  constructor(@InjectDataSource() private readonly dataSource: DataSource, private readonly clock: Clock) {}

  /**
   * Stores a platform event unless it is a duplicate (same dedupe key or body hash on its connection): its id, or null.
   * Webhooks arriving at the same moment share one statement. A deleted connection rejects with PostgreSQL's 23503.
   */
  insert(row: NewInboundEvent): Promise<InsertOutcome> {
    return this.insertBatch(row);
  }

  private async insertOne(r: NewInboundEvent): Promise<InsertOutcome> {
    const rows = (await this.dataSource.query(INSERT_SQL, [r.connectionId, r.platform, r.dedupeKey, r.orderingKey, r.payload, r.status, r.error, r.bodyHash])) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  private async insertMany(rows: readonly NewInboundEvent[]): Promise<(InsertOutcome | Error)[]> {
    if (rows.length === 1) return [await this.insertOne(rows[0]).catch((e: Error) => e)];
    let inserted: { id: string; connection_id: string; dedupe_key: string }[];
    try {
      inserted = (await this.dataSource.query(INSERT_MANY_SQL, [
        rows.map((r) => r.connectionId),
        rows.map((r) => r.platform),
        rows.map((r) => r.dedupeKey),
        rows.map((r) => r.orderingKey),
        rows.map((r) => r.payload),
        rows.map((r) => r.status),
        rows.map((r) => r.error),
        rows.map((r) => r.bodyHash),
      ])) as typeof inserted;
    } catch (e) {
      // one event of a connection deleted meanwhile fails the statement: store each alone, so only its own fails
      if (!isForeignKeyViolation(e)) throw e;
      return Promise.all(rows.map((r) => this.insertOne(r).catch((err: Error) => err)));
    }
    const ids = new Map(inserted.map((r) => [`${r.connection_id}\u0000${r.dedupe_key}`, r.id]));
    // the same event twice in one batch (a platform retrying at once): the first caller gets it, the other is a duplicate
    return rows.map((r) => {
      const key = `${r.connectionId}\u0000${r.dedupeKey}`;
      const id = ids.get(key) ?? null;
      ids.delete(key);
      return id;
    });
  }

  findById(id: string): Promise<InboundEvent | null> {
    return this.repo().findOneBy({ id });
  }

  /** The oldest event of a conversation that is not finished yet (its id and when it is due), or null. */
  head(connectionId: string, orderingKey: string): Promise<EventHead | null> {
    return this.headBatch({ connectionId, orderingKey });
  }

  private async headMany(keys: readonly { connectionId: string; orderingKey: string }[]): Promise<(EventHead | null)[]> {
    const rows = (await this.dataSource.query(HEAD_MANY_SQL, [keys.map((k) => k.connectionId), keys.map((k) => k.orderingKey)])) as { ord: number; id: string; not_before: Date | null }[];
    const heads: (EventHead | null)[] = keys.map(() => null);
    for (const r of rows) heads[r.ord - 1] = { id: r.id, notBefore: r.not_before };
    return heads;
  }

  /** Puts the event (and so its conversation) on hold until `until`. */
  async hold(id: string, until: Date, error: string, agentAttempts?: number): Promise<void> {
    await this.repo().update({ id }, { notBefore: until, error, ...(agentAttempts !== undefined ? { agentAttempts } : {}) });
  }

  async finish(id: string, status: InboundStatus, error: string | null, em?: EntityManager): Promise<void> {
    await this.repo(em).update({ id }, { status, error, processedAt: this.clock.now(), notBefore: null });
  }

  /**
   * The reply went out: records its delivered parts and platform id on the message and settles the event, in one
   * statement (both tables are this module's).
   */
  finishSent(id: string, status: InboundStatus, error: string | null, sent: { messageId: string; parts: number; externalMessageId: string | null }): Promise<void> {
    return this.sentBatch({ id, status, error, ...sent });
  }

  private async finishSentMany(calls: readonly SentCall[]): Promise<void[]> {
    await this.dataSource.query(
      `WITH v AS (
         SELECT * FROM unnest($1::uuid[], $2::inbound_status[], $3::text[], $4::uuid[], $5::int[], $6::varchar[])
           AS v(id, status, error, message_id, parts, external_id)
       ), m AS (
         UPDATE message SET metadata = message.metadata || jsonb_build_object('deliveredParts', v.parts),
           external_message_id = COALESCE(v.external_id, message.external_message_id)
         FROM v WHERE message.id = v.message_id
       )
       UPDATE inbound_event e SET status = v.status, error = v.error, processed_at = now(), not_before = NULL FROM v WHERE e.id = v.id`,
      [calls.map((c) => c.id), calls.map((c) => c.status), calls.map((c) => c.error), calls.map((c) => c.messageId), calls.map((c) => c.parts), calls.map((c) => c.externalMessageId)],
    );
    return calls.map(() => undefined);
  }

  /**
   * Claims the conversation's oldest unfinished event when it is due (status processing, one more attempt). Returns
   * the claimed event, or the head that is on hold until a time, or nothing when all is done. Claims of many
   * conversations at the same moment are one statement.
   */
  claimHead(connectionId: string, orderingKey: string): Promise<ClaimResult> {
    return this.claimBatch({ connectionId, orderingKey });
  }

  private async claimMany(keys: readonly { connectionId: string; orderingKey: string }[]): Promise<ClaimResult[]> {
    const rows = (await this.dataSource.query(
      `WITH k AS (
         SELECT * FROM unnest($1::uuid[], $2::varchar[]) AS k(connection_id, ordering_key)
       ), head AS (
         SELECT h.id, h.not_before, h.connection_id, h.ordering_key FROM k ${HEAD_OF_K}
       ), claimed AS (
         UPDATE inbound_event e SET status = 'processing', attempts = e.attempts + 1, not_before = NULL
         FROM head WHERE e.id = head.id AND (head.not_before IS NULL OR head.not_before <= now())
         RETURNING e.id, e.payload, e.attempts, e.agent_attempts, e.conversation_id, e.reply_message_id, e.error
       )
       SELECT head.id AS head_id, head.not_before, head.connection_id, head.ordering_key, c.* FROM head LEFT JOIN claimed c ON c.id = head.id`,
      [keys.map((k) => k.connectionId), keys.map((k) => k.orderingKey)],
    )) as ClaimRow[];
    const byKey = new Map(rows.map((r) => [`${r.connection_id}\u0000${r.ordering_key}`, r]));
    return keys.map((k) => {
      const r = byKey.get(`${k.connectionId}\u0000${k.orderingKey}`);
      if (!r) return undefined;
      if (!r.id) return { heldUntil: r.not_before as Date, id: r.head_id };
      const ev = Object.assign(new InboundEvent(), {
        id: r.id,
        connectionId: r.connection_id,
        orderingKey: r.ordering_key,
        payload: r.payload,
        status: 'processing',
        attempts: r.attempts,
        agentAttempts: r.agent_attempts,
        conversationId: r.conversation_id,
        replyMessageId: r.reply_message_id,
        error: r.error,
      } satisfies Partial<InboundEvent>);
      return { claimed: ev };
    });
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

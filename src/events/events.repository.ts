import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { preparedPoolQuery, preparedQuery } from '../database/prepared-query';

// One statement: the event row, and one delivery per endpoint of the team that subscribes to the type. The endpoints
// are read FOR KEY SHARE: an endpoint being deleted by a transaction still open is waited for, then left out. That lock
// is what keeps a delivery from outliving its endpoint (there is no foreign key: deleting an endpoint deletes its
// deliveries by a trigger, which a delivery inserted after it would escape).
const PUBLISH_SQL = `
WITH ev AS (
  INSERT INTO webhook_event (id, team_id, type, data, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)
)
INSERT INTO webhook_delivery (id, team_id, event_id, endpoint_id, event_type, status, next_attempt_at, fifo, created_at, updated_at)
SELECT gen_random_uuid(), $2, $1, ep.id, $3,
       CASE WHEN ep.status = 'disabled' THEN 'skipped'::webhook_delivery_status ELSE 'pending'::webhook_delivery_status END,
       CASE WHEN ep.status = 'disabled' THEN NULL ELSE $5::timestamptz END, ep.ordering = 'fifo', $5, $5
FROM webhook_endpoint ep
WHERE ep.team_id = $2 AND (ep.event_types IS NULL OR $3 = ANY (ep.event_types)) AND ($6::uuid IS NULL OR ep.id = $6::uuid)
FOR KEY SHARE OF ep
RETURNING id, status`;

// Many events in one statement (e.g. every reply of a batched turn write): the same rows as PUBLISH_SQL once per event,
// deliveries inserted in event order (FIFO endpoints take them by their identity `seq`).
const PUBLISH_MANY_SQL = `
WITH v AS (
  SELECT * FROM unnest($1::varchar[], $2::uuid[], $3::varchar[], $4::jsonb[]) WITH ORDINALITY AS v(id, team_id, type, data, ord)
), ev AS (
  INSERT INTO webhook_event (id, team_id, type, data, created_at) SELECT id, team_id, type, data, $5 FROM v
)
INSERT INTO webhook_delivery (id, team_id, event_id, endpoint_id, event_type, status, next_attempt_at, fifo, created_at, updated_at)
SELECT gen_random_uuid(), v.team_id, v.id, ep.id, v.type,
       CASE WHEN ep.status = 'disabled' THEN 'skipped'::webhook_delivery_status ELSE 'pending'::webhook_delivery_status END,
       CASE WHEN ep.status = 'disabled' THEN NULL ELSE $5::timestamptz END, ep.ordering = 'fifo', $5, $5
FROM v JOIN webhook_endpoint ep ON ep.team_id = v.team_id AND (ep.event_types IS NULL OR v.type = ANY (ep.event_types))
ORDER BY v.ord, ep.id
FOR KEY SHARE OF ep
RETURNING id, status`;

const TEST_SQL = PUBLISH_SQL.replace('AND (ep.event_types IS NULL OR $3 = ANY (ep.event_types))', '');

export interface OutboxRow {
  id: string;
  status: string;
}

export interface OutboxEntry {
  id: string;
  teamId: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: Date;
  /** Only this endpoint, whatever it subscribes to (`webhook.test`); null = every subscribed endpoint. */
  endpointId: string | null;
}

/**
 * The outbox's SQL: writes `webhook_event` and its `webhook_delivery` rows (which webhooks/ then claims and updates).
 * Prepared once per connection (no parse and plan per event), on the caller's connection: in its transaction.
 */
@Injectable()
export class EventsRepository {
  async insert(em: EntityManager, e: OutboxEntry): Promise<OutboxRow[]> {
    const [name, sql] = e.endpointId ? ['webhook_publish_to', TEST_SQL] : ['webhook_publish', PUBLISH_SQL];
    const params = [e.id, e.teamId, e.type, JSON.stringify(e.data), e.createdAt, e.endpointId];
    const qr = em.queryRunner;
    return qr && !qr.isReleased ? preparedQuery<OutboxRow>(qr, name, sql, params) : preparedPoolQuery<OutboxRow>(em.connection, name, sql, params);
  }

  /** Many events (ids given, in order) with one statement; their deliveries inserted in event order. */
  async insertMany(em: EntityManager, ids: readonly string[], events: readonly { teamId: string; type: string; data: Record<string, unknown> }[], createdAt: Date): Promise<OutboxRow[]> {
    const params = [ids, events.map((e) => e.teamId), events.map((e) => e.type), events.map((e) => JSON.stringify(e.data)), createdAt];
    const qr = em.queryRunner;
    return qr && !qr.isReleased
      ? preparedQuery<OutboxRow>(qr, 'webhook_publish_many', PUBLISH_MANY_SQL, params)
      : preparedPoolQuery<OutboxRow>(em.connection, 'webhook_publish_many', PUBLISH_MANY_SQL, params);
  }
}

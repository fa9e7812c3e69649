import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomFillSync } from 'node:crypto';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { preparedPoolQuery, preparedQuery } from '../database/prepared-query';
import { DeliveryWakeup } from '../webhooks/delivery-wakeup';
import { isKnownEventType } from './event-catalog';
import { Clock } from '../common/clock';

export interface PublishInput {
  type: string;
  teamId: string;
  data: Record<string, unknown>;
}

export interface PublishResult {
  eventId: string | null;
  /** Every delivery row written (pending ones wake the dispatchers after commit; disabled endpoints get `skipped` rows). */
  deliveryIds: string[];
}

/** Random bytes drawn 4 KB at a time (one call per 256 ids instead of one per id: it showed in the publish profile). */
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;

/** `evt_` + 26 characters: a millisecond timestamp (sortable) and 80 random bits, Crockford base32. */
export function newEventId(now = Date.now()): string {
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  let time = '';
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = alphabet[t % 32] + time;
  if (randomOffset + 16 > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  let rand = '';
  for (let i = 0; i < 16; i++) rand += alphabet[randomPool[randomOffset + i] % 32];
  randomOffset += 16;
  return `evt_${time}${rand}`;
}

// One statement: the event row, and one delivery per endpoint of the team that subscribes to the type.
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
RETURNING id, status`;

interface Row {
  id: string;
  status: string;
}

const TEST_SQL = PUBLISH_SQL.replace('AND (ep.event_types IS NULL OR $3 = ANY (ep.event_types))', '');

/**
 * The transactional outbox. `publish(em, …)` writes the event and its deliveries with the caller's EntityManager, in
 * one statement, so they commit or roll back with the change that caused them. Once the outermost transaction commits
 * (a TypeORM transaction subscriber keyed by query runner) the dispatchers are woken; a rolled-back transaction wakes
 * nobody and leaves nothing to send. A lost wake-up only delays delivery: dispatchers poll PostgreSQL as well.
 */
@Injectable()
export class EventsService implements EntitySubscriberInterface, OnModuleDestroy {
  /** Query runners whose open transaction published something. */
  private readonly published = new WeakSet<QueryRunner>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly wakeup: DeliveryWakeup,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    dataSource.subscribers.push(this);
  }

  onModuleDestroy(): void {
    const i = this.dataSource.subscribers.indexOf(this);
    if (i >= 0) this.dataSource.subscribers.splice(i, 1);
  }

  /** Records an event for every subscribed endpoint of the team. With ENABLE_WEBHOOKS=false it records nothing. */
  async publish(em: EntityManager, input: PublishInput): Promise<PublishResult> {
    return this.write(em, input, null);
  }

  /** `webhook.test`: one delivery to one endpoint, whatever it subscribes to. */
  async publishTo(em: EntityManager, endpointId: string, input: PublishInput): Promise<PublishResult> {
    return this.write(em, input, endpointId);
  }

  private async write(em: EntityManager, { type, teamId, data }: PublishInput, endpointId: string | null): Promise<PublishResult> {
    if (!isKnownEventType(type)) throw new Error(`unknown event type "${type}": add it to src/events/event-catalog.ts`);
    if (!this.config.webhooks.enabled) return { eventId: null, deliveryIds: [] };
    const id = newEventId(this.clock.nowMs());
    const [name, sql] = endpointId ? ['webhook_publish_to', TEST_SQL] : ['webhook_publish', PUBLISH_SQL];
    const params = [id, teamId, type, JSON.stringify(data), this.clock.now(), endpointId];
    // prepared once per connection (no parse and plan per event), on the caller's connection: in its transaction
    const qr = em.queryRunner;
    const rows = await (qr && !qr.isReleased ? preparedQuery<Row>(qr, name, sql, params) : preparedPoolQuery<Row>(em.connection, name, sql, params));
    if (rows.some((r) => r.status === 'pending')) {
      const qr = em.queryRunner;
      if (qr?.isTransactionActive) this.published.add(qr);
      else this.wakeup.signal();
    }
    return { eventId: id, deliveryIds: rows.map((r) => r.id) };
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const qr = event.queryRunner;
    if (qr.isTransactionActive) return; // a savepoint was released; wait for the outermost commit
    if (this.published.delete(qr)) this.wakeup.signal();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    // Rolled back to a savepoint: the outer transaction may still commit what it published before (a wake-up
    // for nothing costs one empty claim). The outermost rollback forgets it.
    if (!event.queryRunner.isTransactionActive) this.published.delete(event.queryRunner);
  }
}


import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { RedisUnavailable } from '../queue/redis-availability';
import { DeliveryQueue } from '../webhooks/delivery-queue';
import { isKnownEventType } from './event-catalog';

export interface PublishInput {
  type: string;
  teamId: string;
  data: Record<string, unknown>;
}

export interface PublishResult {
  eventId: string | null;
  /** Every delivery row written (pending ones are enqueued after commit; disabled endpoints get `skipped` rows). */
  deliveryIds: string[];
}

/** `evt_` + 26 characters: a millisecond timestamp (sortable) and 80 random bits, Crockford base32. */
export function newEventId(now = Date.now()): string {
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  let time = '';
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = alphabet[t % 32] + time;
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += alphabet[bytes[i] % 32];
  return `evt_${time}${rand}`;
}

// One statement: the event row, and one delivery per endpoint of the team that subscribes to the type.
const PUBLISH_SQL = `
WITH ev AS (
  INSERT INTO webhook_event (id, team_id, type, data, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)
)
INSERT INTO webhook_delivery (id, team_id, event_id, endpoint_id, event_type, status, next_attempt_at, created_at, updated_at)
SELECT gen_random_uuid(), $2, $1, ep.id, $3,
       CASE WHEN ep.status = 'disabled' THEN 'skipped'::webhook_delivery_status ELSE 'pending'::webhook_delivery_status END,
       CASE WHEN ep.status = 'disabled' THEN NULL ELSE $5::timestamptz END, $5, $5
FROM webhook_endpoint ep
WHERE ep.team_id = $2 AND (ep.event_types IS NULL OR $3 = ANY (ep.event_types)) AND ($6::uuid IS NULL OR ep.id = $6::uuid)
RETURNING id, status`;

const TEST_SQL = PUBLISH_SQL.replace('AND (ep.event_types IS NULL OR $3 = ANY (ep.event_types))', '');

interface Pending {
  depth: number;
  ids: string[];
}

/**
 * The transactional outbox. `publish(em, …)` writes the event and its deliveries with the caller's EntityManager,
 * so they commit or roll back with the change that caused them. The `deliver` jobs are enqueued once the
 * outermost transaction commits (a TypeORM transaction subscriber keyed by query runner); a rolled-back
 * transaction enqueues nothing. If the enqueue fails, the webhook sweeper finds the due rows later.
 */
@Injectable()
export class EventsService implements EntitySubscriberInterface, OnModuleDestroy {
  private readonly logger = new Logger('Events');
  private readonly pending = new WeakMap<QueryRunner, Pending[]>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queue: DeliveryQueue,
    private readonly config: AppConfig,
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
    const id = newEventId();
    const rows = (await em.query(endpointId ? TEST_SQL : PUBLISH_SQL, [id, teamId, type, JSON.stringify(data), new Date(), endpointId])) as {
      id: string;
      status: string;
    }[];
    const due = rows.filter((r) => r.status === 'pending').map((r) => r.id);
    if (due.length) await this.afterCommit(em.queryRunner, due);
    return { eventId: id, deliveryIds: rows.map((r) => r.id) };
  }

  private async afterCommit(qr: QueryRunner | undefined, ids: string[]): Promise<void> {
    if (!qr || !qr.isTransactionActive) return this.enqueue(ids);
    const list = this.pending.get(qr) ?? [];
    list.push({ depth: depthOf(qr), ids });
    this.pending.set(qr, list);
  }

  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const qr = event.queryRunner;
    if (qr.isTransactionActive) return; // a savepoint was released; wait for the outermost commit
    const list = this.pending.get(qr);
    if (!list) return;
    this.pending.delete(qr);
    await this.enqueue(list.flatMap((p) => p.ids));
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const qr = event.queryRunner;
    const list = this.pending.get(qr);
    if (!list) return;
    if (!qr.isTransactionActive) {
      this.pending.delete(qr);
      return;
    }
    // Rolled back to a savepoint: forget what was published inside it.
    const depth = depthOf(qr);
    this.pending.set(
      qr,
      list.filter((p) => p.depth <= depth),
    );
  }

  private async enqueue(ids: string[]): Promise<void> {
    try {
      await this.queue.add(ids);
    } catch (e) {
      // Committed rows are the truth: the sweeper enqueues them later. Never fail the caller's (committed) change.
      // The add is bounded (DeliveryQueue): a commit never waits on Redis for long. While Redis is known to be down,
      // its monitor warns once a minute instead of one line per change.
      const msg = `could not enqueue ${ids.length} webhook deliveries (the sweeper will): ${(e as Error).message}`;
      if (e instanceof RedisUnavailable) this.logger.debug(msg);
      else this.logger.warn(msg);
    }
  }
}

/** TypeORM keeps the nesting depth on the query runner without exposing it in the type. */
function depthOf(qr: QueryRunner): number {
  return (qr as unknown as { transactionDepth?: number }).transactionDepth ?? 1;
}

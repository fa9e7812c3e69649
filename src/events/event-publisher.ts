import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomFillSync } from 'node:crypto';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { EventsRepository, OutboxRow } from './events.repository';
import { KnownEventTypes } from './known-event-types';
import { OutboxWakeup } from './outbox-wakeup';
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
// the default is for tests and scripts: EventPublisher always passes its Clock's time
// eslint-disable-next-line no-restricted-properties
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

/**
 * The transactional outbox, and the one way to publish an event: every service that changes state calls
 * `publish(em, …)` with the EntityManager of its own transaction. The event and its deliveries are written in one
 * statement with that EntityManager, so they commit or roll back with the change that caused them. Once the outermost
 * transaction commits (a TypeORM transaction subscriber keyed by query runner) the dispatchers are woken through the
 * `OutboxWakeup` port; a rolled-back transaction wakes nobody and leaves nothing to send. A lost wake-up only delays
 * delivery: dispatchers poll PostgreSQL as well.
 */
@Injectable()
export class EventPublisher implements EntitySubscriberInterface, OnModuleDestroy {
  /** Query runners whose open transaction published something. */
  private readonly published = new WeakSet<QueryRunner>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: EventsRepository,
    private readonly wakeup: OutboxWakeup,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly knownTypes: KnownEventTypes,
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

  /**
   * Several events in the caller's transaction with ONE statement (what a batched write of many conversations uses):
   * the same rows and wake-up as calling `publish` for each, in order. Returns the event ids in input order.
   */
  async publishMany(em: EntityManager, inputs: readonly PublishInput[]): Promise<{ eventIds: (string | null)[] }> {
    if (inputs.length === 0) return { eventIds: [] };
    if (inputs.length === 1) return { eventIds: [(await this.write(em, inputs[0], null)).eventId] };
    for (const { type } of inputs) this.checkType(type);
    if (!this.config.webhooks.enabled) return { eventIds: inputs.map(() => null) };
    const now = this.clock.nowMs();
    const ids = inputs.map(() => newEventId(now));
    const rows = await this.repo.insertMany(em, ids, inputs, new Date(now));
    this.afterWrite(em, rows);
    return { eventIds: ids };
  }

  /** `webhook.test`: one delivery to one endpoint, whatever it subscribes to. */
  async publishTo(em: EntityManager, endpointId: string, input: PublishInput): Promise<PublishResult> {
    return this.write(em, input, endpointId);
  }

  private async write(em: EntityManager, { type, teamId, data }: PublishInput, endpointId: string | null): Promise<PublishResult> {
    this.checkType(type);
    if (!this.config.webhooks.enabled) return { eventId: null, deliveryIds: [] };
    const id = newEventId(this.clock.nowMs());
    const rows = await this.repo.insert(em, { id, teamId, type, data, createdAt: this.clock.now(), endpointId });
    this.afterWrite(em, rows);
    return { eventId: id, deliveryIds: rows.map((r) => r.id) };
  }

  /** A type missing from the catalog is a programming error: refused before anything is written, webhooks on or off. */
  private checkType(type: string): void {
    if (!this.knownTypes.has(type)) {
      throw new Error(`unknown event type "${type}": add it to src/events/event-catalog.ts (or, a platform's own, to its <name>.events.ts)`);
    }
  }

  /** Pending deliveries written: wake the dispatchers after the outermost commit (at once outside a transaction). */
  private afterWrite(em: EntityManager, rows: OutboxRow[]): void {
    if (!rows.some((r) => r.status === 'pending')) return;
    const qr = em.queryRunner;
    if (qr?.isTransactionActive) this.published.add(qr);
    else this.wakeup.signal();
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


import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { statementBatcher } from '../database/statement-batcher';

interface LeaseCall {
  key: string;
  holder: string;
  ttlSeconds: number;
}

/**
 * The conversation_lease table's SQL. Every call is one autocommitted statement: a lease is a row, not a session
 * lock, so nothing pins a pooled connection while its holder waits on an agent or a platform. Takes and releases made
 * at the same moment (many conversations at once) share one statement.
 */
@Injectable()
export class ConversationLeaseRepository {
  private readonly acquireBatch = statementBatcher<LeaseCall, boolean>((calls) => this.acquireMany(calls));
  private readonly releaseBatch = statementBatcher<LeaseCall, boolean>((calls) => this.releaseMany(calls));

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes the lease when it is free or expired (or already ours). When someone else holds it, marks it `wake` instead,
   * in the same statement: the holder's release then says there may be more to do (see `release`). A key appears at
   * most once per batch (LeaseKeeper never asks twice for a key it is taking).
   */
  tryAcquire(key: string, holder: string, ttlSeconds: number): Promise<boolean> {
    return this.acquireBatch({ key, holder, ttlSeconds });
  }

  private async acquireMany(calls: readonly LeaseCall[]): Promise<boolean[]> {
    const rows = (await this.dataSource.query(
      `INSERT INTO conversation_lease AS l (key, holder, expires_at)
       SELECT c.key, c.holder, now() + c.ttl * interval '1 second' FROM unnest($1::varchar[], $2::varchar[], $3::int[]) AS c(key, holder, ttl)
       ON CONFLICT (key) DO UPDATE SET
         holder = CASE WHEN l.expires_at < now() OR l.holder = EXCLUDED.holder THEN EXCLUDED.holder ELSE l.holder END,
         expires_at = CASE WHEN l.expires_at < now() OR l.holder = EXCLUDED.holder THEN EXCLUDED.expires_at ELSE l.expires_at END,
         wake = NOT (l.expires_at < now() OR l.holder = EXCLUDED.holder)
       RETURNING key, holder`,
      [calls.map((c) => c.key), calls.map((c) => c.holder), calls.map((c) => c.ttlSeconds)],
    )) as { key: string; holder: string }[];
    const holderOf = new Map(rows.map((r) => [r.key, r.holder]));
    return calls.map((c) => holderOf.get(c.key) === c.holder);
  }

  /** Extends every lease `holder` still holds among `keys`; returns the keys it no longer holds. */
  async renew(keys: string[], holder: string, ttlSeconds: number): Promise<string[]> {
    if (!keys.length) return [];
    // UPDATE … RETURNING comes back from TypeORM as [rows, rowCount]
    const [rows] = (await this.dataSource.query(
      `UPDATE conversation_lease SET expires_at = now() + $3 * interval '1 second'
       WHERE key = ANY($1::varchar[]) AND holder = $2 RETURNING key`,
      [keys, holder, ttlSeconds],
    )) as [{ key: string }[], number];
    const kept = new Set(rows.map((r) => r.key));
    return keys.filter((k) => !kept.has(k));
  }

  /**
   * Gives the lease up. Returns true when someone was turned away while it was held (`wake`): an event stored after
   * the holder's last look may be waiting, and its job has already gone. Marking and releasing touch the same row, so
   * one of the two always sees the other.
   */
  release(key: string, holder: string): Promise<boolean> {
    return this.releaseBatch({ key, holder, ttlSeconds: 0 });
  }

  private async releaseMany(calls: readonly LeaseCall[]): Promise<boolean[]> {
    const [rows] = (await this.dataSource.query(
      `DELETE FROM conversation_lease l USING unnest($1::varchar[], $2::varchar[]) AS c(key, holder)
       WHERE l.key = c.key AND l.holder = c.holder RETURNING l.key, l.wake`,
      [calls.map((c) => c.key), calls.map((c) => c.holder)],
    )) as [{ key: string; wake: boolean }[], number];
    const woken = new Map(rows.map((r) => [r.key, r.wake]));
    return calls.map((c) => woken.get(c.key) === true);
  }
}

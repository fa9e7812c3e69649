import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * The conversation_lease table's SQL. Every call is one autocommitted statement: a lease is a row, not a session
 * lock, so nothing pins a pooled connection while its holder waits on an agent or a platform.
 */
@Injectable()
export class ConversationLeaseRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes the lease when it is free or expired (or already ours). When someone else holds it, marks it `wake` instead,
   * in the same statement: the holder's release then says there may be more to do (see `release`).
   */
  async tryAcquire(key: string, holder: string, ttlSeconds: number): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO conversation_lease AS l (key, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 second')
       ON CONFLICT (key) DO UPDATE SET
         holder = CASE WHEN l.expires_at < now() OR l.holder = EXCLUDED.holder THEN EXCLUDED.holder ELSE l.holder END,
         expires_at = CASE WHEN l.expires_at < now() OR l.holder = EXCLUDED.holder THEN EXCLUDED.expires_at ELSE l.expires_at END,
         wake = NOT (l.expires_at < now() OR l.holder = EXCLUDED.holder)
       RETURNING holder`,
      [key, holder, ttlSeconds],
    )) as { holder: string }[];
    return rows[0]?.holder === holder;
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
  async release(key: string, holder: string): Promise<boolean> {
    const [rows] = (await this.dataSource.query('DELETE FROM conversation_lease WHERE key = $1 AND holder = $2 RETURNING wake', [key, holder])) as [
      { wake: boolean }[],
      number,
    ];
    return rows[0]?.wake === true;
  }
}

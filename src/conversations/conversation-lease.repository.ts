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

  /** Takes the lease when it is free or expired (or already ours). */
  async tryAcquire(key: string, holder: string, ttlSeconds: number): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO conversation_lease (key, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 second')
       ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
         WHERE conversation_lease.expires_at < now() OR conversation_lease.holder = EXCLUDED.holder
       RETURNING holder`,
      [key, holder, ttlSeconds],
    )) as unknown[];
    return rows.length === 1;
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

  async release(key: string, holder: string): Promise<void> {
    await this.dataSource.query('DELETE FROM conversation_lease WHERE key = $1 AND holder = $2', [key, holder]);
  }
}

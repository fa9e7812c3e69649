import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** What a connection's health says about its Socket Mode link. */
export interface SlackSocketStatus {
  /** A worker holds the socket (its lease is live) and the socket said hello and has not closed since. */
  connected: boolean;
  /** When `connected` last changed (null: no worker has held this connection's socket yet). */
  since: Date | null;
  /** Why the last attempt to connect failed, until a socket connects again. */
  lastError: string | null;
}

const isForeignKeyViolation = (e: unknown): boolean => (e as { code?: string }).code === '23503';

/**
 * The slack_socket table's SQL (which connections want a socket comes from ConnectionsService). Every call is one
 * autocommitted statement: the lease is a row, so no pooled connection is pinned while a socket stays open for hours.
 */
@Injectable()
export class SlackSocketRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Takes the connection's socket lease when it is free, expired or already `holder`'s; false otherwise (or when the connection is gone). */
  async tryAcquire(connectionId: string, holder: string, ttlSeconds: number): Promise<boolean> {
    try {
      const rows = (await this.dataSource.query(
        `INSERT INTO slack_socket AS s (connection_id, holder, expires_at, connected, changed_at)
         VALUES ($1, $2, now() + $3 * interval '1 second', false, now())
         ON CONFLICT (connection_id) DO UPDATE SET
           holder = EXCLUDED.holder,
           expires_at = EXCLUDED.expires_at,
           connected = s.connected AND s.holder = EXCLUDED.holder,
           changed_at = CASE WHEN s.connected AND s.holder <> EXCLUDED.holder THEN now() ELSE s.changed_at END
         WHERE s.expires_at < now() OR s.holder = EXCLUDED.holder
         RETURNING connection_id`,
        [connectionId, holder, ttlSeconds],
      )) as unknown[];
      return rows.length === 1;
    } catch (e) {
      if (isForeignKeyViolation(e)) return false; // deleted meanwhile
      throw e;
    }
  }

  /** Extends every lease `holder` still holds among `connectionIds`; returns the ids it no longer holds. */
  async renew(connectionIds: string[], holder: string, ttlSeconds: number): Promise<string[]> {
    if (!connectionIds.length) return [];
    const [rows] = (await this.dataSource.query(
      `UPDATE slack_socket SET expires_at = now() + $3 * interval '1 second'
       WHERE connection_id = ANY($1::uuid[]) AND holder = $2 RETURNING connection_id`,
      [connectionIds, holder, ttlSeconds],
    )) as [{ connection_id: string }[], number];
    const kept = new Set(rows.map((r) => r.connection_id));
    return connectionIds.filter((id) => !kept.has(id));
  }

  /** Records that the holder's socket connected (clears the last error) or closed / failed to connect (with why). */
  async setConnected(connectionId: string, holder: string, connected: boolean, error?: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE slack_socket SET
         changed_at = CASE WHEN connected <> $3 THEN now() ELSE changed_at END,
         connected = $3,
         last_error = CASE WHEN $3 THEN NULL ELSE COALESCE($4, last_error) END
       WHERE connection_id = $1 AND holder = $2`,
      [connectionId, holder, connected, error ?? null],
    );
  }

  /** Gives the lease up (another worker may take it at once); the row stays, so health still tells the last error. */
  async release(connectionId: string, holder: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE slack_socket SET expires_at = now() - interval '1 millisecond',
         changed_at = CASE WHEN connected THEN now() ELSE changed_at END, connected = false
       WHERE connection_id = $1 AND holder = $2`,
      [connectionId, holder],
    );
  }

  async status(connectionId: string): Promise<SlackSocketStatus> {
    const [row] = (await this.dataSource.query(
      // a holder that died connected is disconnected since its lease ran out
      `SELECT connected AND expires_at > now() AS connected,
              CASE WHEN connected AND expires_at <= now() THEN expires_at ELSE changed_at END AS changed_at, last_error
       FROM slack_socket WHERE connection_id = $1`,
      [connectionId],
    )) as { connected: boolean; changed_at: Date; last_error: string | null }[];
    return row ? { connected: row.connected, since: row.changed_at, lastError: row.last_error } : { connected: false, since: null, lastError: null };
  }
}

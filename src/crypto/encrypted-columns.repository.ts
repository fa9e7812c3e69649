import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A quoted SQL identifier (table and column names come from the registrations in code, never from input). */
const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/**
 * The statements key rotation runs on the encrypted columns other modules register (KeyRotationService): a batch of
 * values in id order, and a compare-and-set of one value. The owning modules keep every other statement of their tables.
 */
@Injectable()
export class EncryptedColumnsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Up to `limit` non-null values of `table.column` with ids after `afterId`, in id order. */
  batch(table: string, column: string, afterId: string, limit: number): Promise<{ id: string; value: string }[]> {
    return this.dataSource.query(`SELECT id, ${q(column)} AS value FROM ${q(table)} WHERE id > $1 AND ${q(column)} IS NOT NULL ORDER BY id LIMIT $2`, [
      afterId,
      limit,
    ]) as Promise<{ id: string; value: string }[]>;
  }

  /** Replaces the row's value only if it still is `from` (a concurrent change wins). */
  async replace(table: string, column: string, id: string, from: string, to: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${q(table)} SET ${q(column)} = $1 WHERE id = $2 AND ${q(column)} = $3`, [to, id, from]);
  }
}

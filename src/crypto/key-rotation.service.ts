import { Injectable, Logger } from '@nestjs/common';
import { CredentialCipher, DecryptionError, UnknownKeyError } from './credential-cipher';
import { EncryptedColumnsRepository } from './encrypted-columns.repository';

/** A column holding CredentialCipher envelopes. The AAD is {table, rowId: id, field}. */
export interface EncryptedColumn {
  table: string;
  column: string;
  field: string;
  /** Called (outside any transaction) for a row whose value cannot be decrypted with the current ring. */
  onUndecryptable?: (rowId: string, reason: string) => Promise<void>;
  /** Called after each batch with the rows it re-encrypted under the active key (e.g. to drop caches of them). */
  onRotated?: (rowIds: string[]) => Promise<void>;
}

export interface RotationReport {
  table: string;
  column: string;
  scanned: number;
  rotated: number;
  current: number;
  failed: number;
}

/**
 * Every encrypted column registers here (modules do it at init), so `keys:rotate` re-encrypts all of them.
 * Rotation works in id-ordered batches; each row is updated only if it still holds the value that was read,
 * so it is safe to interrupt, to run twice, or to run while the app is serving.
 */
@Injectable()
export class KeyRotationService {
  private readonly logger = new Logger('KeyRotation');
  private readonly columns: EncryptedColumn[] = [];

  constructor(
    private readonly cipher: CredentialCipher,
    private readonly repo: EncryptedColumnsRepository,
  ) {}

  register(column: EncryptedColumn): void {
    if (!this.columns.some((c) => c.table === column.table && c.column === column.column)) this.columns.push(column);
  }

  registered(): readonly EncryptedColumn[] {
    return this.columns;
  }

  async rotateAll(batchSize = 200): Promise<RotationReport[]> {
    const reports: RotationReport[] = [];
    for (const c of this.columns) reports.push(await this.rotate(c, batchSize));
    return reports;
  }

  private async rotate(col: EncryptedColumn, batchSize: number): Promise<RotationReport> {
    const report: RotationReport = { table: col.table, column: col.column, scanned: 0, rotated: 0, current: 0, failed: 0 };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await this.repo.batch(col.table, col.column, after, batchSize);
      if (!rows.length) break;
      const rotated: string[] = [];
      for (const row of rows) {
        report.scanned++;
        after = row.id;
        const aad = { table: col.table, rowId: row.id, field: col.field };
        try {
          if (!this.cipher.needsReencryption(row.value)) {
            report.current++;
            continue;
          }
          const next = this.cipher.encrypt(this.cipher.decrypt(row.value, aad), aad);
          await this.repo.replace(col.table, col.column, row.id, row.value, next);
          report.rotated++;
          rotated.push(row.id);
        } catch (e) {
          if (!(e instanceof UnknownKeyError || e instanceof DecryptionError)) throw e;
          report.failed++;
          this.logger.warn(`${col.table}.${col.column} ${row.id}: ${e.message}`);
          await col.onUndecryptable?.(row.id, e.message);
        }
      }
      if (rotated.length) await col.onRotated?.(rotated);
    }
    return report;
  }
}

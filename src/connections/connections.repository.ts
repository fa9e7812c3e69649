import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Platform } from './entities/platform-connection.entity';

/** platform_connection statements other than TypeORM's own (other modules call ConnectionsService, never this table). */
@Injectable()
export class ConnectionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Merges `patch` into the connection's platform_info (one statement, no read first). */
  async mergePlatformInfo(id: string, patch: Record<string, unknown>): Promise<void> {
    await this.dataSource.query('UPDATE platform_connection SET platform_info = platform_info || $2::jsonb WHERE id = $1', [id, JSON.stringify(patch)]);
  }

  /** Ids of the active connections of `platform` whose `settings.mode` is `mode`. */
  async activeIdsInMode(platform: Platform, mode: string): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT id FROM platform_connection WHERE platform = $1 AND status = 'active' AND settings->>'mode' = $2`, [
      platform,
      mode,
    ])) as { id: string }[];
    return rows.map((r) => r.id);
  }
}

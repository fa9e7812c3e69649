import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Page, PageQuery, paginate } from '../../common/pagination';
import { ApiKey } from './entities/api-key.entity';

/** The api_key table's statements. */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>) {}

  insert(key: Pick<ApiKey, 'teamId' | 'name' | 'prefix' | 'keyHash' | 'scopes' | 'expiresAt' | 'createdById'>): Promise<ApiKey> {
    return this.keys.save(this.keys.create(key));
  }

  /** Every key of the team (revoked and expired ones too), newest first. */
  list(teamId: string, page: PageQuery): Promise<Page<ApiKey>> {
    return paginate(this.keys.createQueryBuilder('k').where('k.teamId = :teamId', { teamId }), page);
  }

  find(teamId: string, id: string): Promise<ApiKey | null> {
    return this.keys.findOneBy({ id, teamId });
  }

  findByHash(keyHash: string): Promise<ApiKey | null> {
    return this.keys.findOneBy({ keyHash });
  }

  async revoke(id: string, at: Date): Promise<void> {
    await this.keys.update({ id }, { revokedAt: at });
  }

  /** Sets last_used_at to now unless it was set less than `resolutionS` seconds ago (one conditional statement). */
  async touchLastUsed(id: string, resolutionS: number): Promise<void> {
    await this.keys.query(
      `UPDATE api_key SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      [id, resolutionS],
    );
  }
}

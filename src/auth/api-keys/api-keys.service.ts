import { Injectable } from '@nestjs/common';
import { ApiKeyActor, ApiKeyScope } from '../../common/decorators';
import { NotFound, ValidationFailed } from '../../common/errors';
import { Page, PageQuery, mapPage } from '../../common/pagination';
import { auditBefore } from '../../audit/audit-context';
import { ApiKeyInvalid } from './api-key.errors';
import { hashApiKey, looksLikeApiKey, newApiKey } from './api-key-token';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKey } from './entities/api-key.entity';
import { Clock } from '../../common/clock';

/** lastUsedAt is written at most this often per key, not on every request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeyView {
  id: string;
  teamId: string;
  name: string;
  /** `sb_` + 8 characters, for recognizing the key. */
  prefix: string;
  scopes: ApiKeyScope[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdById: string | null;
  createdAt: Date;
}

export interface CreatedApiKey extends ApiKeyView {
  /** Shown once; only its SHA-256 is stored. */
  key: string;
}

const toView = (k: ApiKey): ApiKeyView => ({
  id: k.id,
  teamId: k.teamId,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  expiresAt: k.expiresAt,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt,
  createdById: k.createdById,
  createdAt: k.createdAt,
});

const SCOPE_ORDER: ApiKeyScope[] = ['read', 'write', 'admin'];

/** Does a key with `scopes` cover `needed`? Scopes include the lower ones: admin ⊇ write ⊇ read. */
export function scopeCovers(scopes: ApiKeyScope[], needed: ApiKeyScope): boolean {
  const top = Math.max(...scopes.map((s) => SCOPE_ORDER.indexOf(s)));
  return top >= SCOPE_ORDER.indexOf(needed);
}

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly clock: Clock,
  ) {}

  async create(teamId: string, createdById: string | null, input: { name: string; scopes: ApiKeyScope[]; expiresAt?: string }): Promise<CreatedApiKey> {
    let expiresAt: Date | null = null;
    if (input.expiresAt !== undefined) {
      expiresAt = new Date(input.expiresAt);
      if (expiresAt.getTime() <= this.clock.nowMs()) {
        const message = 'expiresAt must be in the future';
        throw new ValidationFailed(message, [{ field: 'expiresAt', messages: [message] }]);
      }
    }
    const { key, hash, prefix } = newApiKey();
    const scopes = SCOPE_ORDER.filter((s) => input.scopes.includes(s));
    const saved = await this.repo.insert({ teamId, name: input.name, prefix, keyHash: hash, scopes, expiresAt, createdById });
    return { ...toView(saved), key };
  }

  /** Every key of the team (revoked and expired ones too), newest first; never the key itself. */
  async list(teamId: string, page: PageQuery): Promise<Page<ApiKeyView>> {
    return mapPage(await this.repo.list(teamId, page), toView);
  }

  async get(teamId: string, keyId: string): Promise<ApiKeyView> {
    const k = await this.repo.find(teamId, keyId);
    if (!k) throw new NotFound('API key');
    return toView(k);
  }

  /** Revokes a key at once (the next request with it is 401). Revoking a revoked key is 404. */
  async revoke(teamId: string, keyId: string): Promise<void> {
    const k = await this.repo.find(teamId, keyId);
    if (!k || k.revokedAt) throw new NotFound('API key');
    auditBefore(toView(k));
    await this.repo.revoke(k.id, this.clock.now());
  }

  /**
   * Resolves a presented key to its actor, or throws 401 (unknown, revoked, expired: one answer). Touches lastUsedAt
   * when it is older than LAST_USED_RESOLUTION_MS, in one conditional statement.
   */
  async authenticate(token: string): Promise<ApiKeyActor> {
    if (!looksLikeApiKey(token)) throw new ApiKeyInvalid();
    const k = await this.repo.findByHash(hashApiKey(token));
    const now = this.clock.nowMs();
    if (!k || k.revokedAt || (k.expiresAt && k.expiresAt.getTime() <= now)) throw new ApiKeyInvalid();
    if (!k.lastUsedAt || now - k.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) await this.repo.touchLastUsed(k.id, LAST_USED_RESOLUTION_MS / 1000);
    return { keyId: k.id, teamId: k.teamId, scopes: k.scopes };
  }
}

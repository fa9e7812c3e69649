import { Injectable } from '@nestjs/common';
import { NotFound } from '../common/errors';
import { ConnectionsService } from './connections.service';
import { Platform, PlatformConnection } from './entities/platform-connection.entity';

const TTL_MS = 10_000;
const MAX_ENTRIES = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * For the inbound webhook guards: a connection and the one credential its platform signs with, cached for a few
 * seconds so a busy webhook does not decrypt on every request. Unknown (or other-platform) connections are 404.
 * A connection whose credentials cannot be decrypted yields an empty secret, which no request can match.
 */
@Injectable()
export class ConnectionSecretCache {
  private readonly cache = new Map<string, { connection: PlatformConnection; secret: string; at: number }>();

  constructor(private readonly connections: ConnectionsService) {}

  async lookup(id: string, platform: Platform, field: string): Promise<{ connection: PlatformConnection; secret: string }> {
    const key = `${platform}:${id}`;
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit;
    const connection = UUID.test(id) ? await this.connections.findById(id) : null;
    if (!connection || connection.platform !== platform) throw new NotFound('connection');
    let secret = '';
    try {
      secret = (await this.connections.credentialsOf(connection))[field] ?? '';
    } catch {
      secret = '';
    }
    const entry = { connection, secret, at: Date.now() };
    this.cache.set(key, entry);
    if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    return entry;
  }
}

import { Injectable } from '@nestjs/common';
import { NotFound } from '../common/errors';
import { ALL_CONNECTIONS, ConnectionChanges } from './connection-changes';
import { ConnectionsService } from './connections.service';
import { Platform, PlatformConnection } from './entities/platform-connection.entity';
import { Clock } from '../common/clock';

/** While this replica receives change notices: entries are dropped on change, the TTL only bounds memory and drift. */
const TTL_MS = 10_000;
/** While it does not (Redis down): a change elsewhere takes effect here within this. */
const UNSUBSCRIBED_TTL_MS = 2_000;
const MAX_ENTRIES = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Entry {
  connection: PlatformConnection;
  platform: Platform;
  field: string;
  secret: string;
  at: number;
}

/**
 * For PlatformRequestGuard (every inbound webhook route): a connection and the one credential its platform signs with, cached so a busy
 * webhook does not decrypt on every request. Any change to a connection (ConnectionChanges, on every replica) drops
 * its entry; a short TTL is the safety net when the change notices cannot be received. Unknown (or other-platform)
 * connections are 404 and never cached. A connection whose credentials cannot be decrypted yields an empty secret,
 * which no request can match.
 *
 * A burst of requests for a connection whose entry has expired reads it once: the first miss starts the read and the
 * others wait for it (measured before: a 200-request burst arriving just after the TTL read the same row 100–130
 * times). Misses for different connections at the same moment share one statement.
 */
@Injectable()
export class ConnectionSecretCache {
  private readonly cache = new Map<string, Entry>();
  /** Reads in progress, by connection id: a miss while one runs waits for it instead of reading again. */
  private readonly reading = new Map<string, { platform: Platform; field: string; entry: Promise<Entry> }>();
  /** Bumped on every drop: a lookup that was reading while a change landed must not cache what it read. */
  private generation = 0;

  constructor(
    private readonly connections: ConnectionsService,
    private readonly changes: ConnectionChanges,
    private readonly clock: Clock,
  ) {
    changes.onChange((id) => this.drop(id));
  }

  async lookup(id: string, platform: Platform, field: string): Promise<{ connection: PlatformConnection; secret: string }> {
    const hit = this.cache.get(id);
    const ttl = this.changes.live ? TTL_MS : UNSUBSCRIBED_TTL_MS;
    if (hit && hit.platform === platform && hit.field === field && this.clock.nowMs() - hit.at < ttl) return hit;
    const pending = this.reading.get(id);
    if (pending && pending.platform === platform && pending.field === field) return pending.entry;
    const entry = this.read(id, platform, field);
    this.reading.set(id, { platform, field, entry });
    const done = (): void => {
      if (this.reading.get(id)?.entry === entry) this.reading.delete(id);
    };
    entry.then(done, done);
    return entry;
  }

  private async read(id: string, platform: Platform, field: string): Promise<Entry> {
    const generation = this.generation;
    const connection = UUID.test(id) ? await this.connections.findByIdBatched(id) : null;
    if (!connection || connection.platform !== platform) throw new NotFound('connection');
    let secret = '';
    try {
      secret = (await this.connections.credentialsOf(connection))[field] ?? '';
    } catch {
      secret = '';
    }
    const entry: Entry = { connection, platform, field, secret, at: this.clock.nowMs() };
    if (generation === this.generation) {
      this.cache.delete(id); // re-inserted last, so the oldest entry is the first key
      this.cache.set(id, entry);
      if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    }
    return entry;
  }

  private drop(id: string): void {
    this.generation++; // and a lookup after the change must not wait for a read that began before it
    if (id === ALL_CONNECTIONS) {
      this.cache.clear();
      this.reading.clear();
    } else {
      this.cache.delete(id);
      this.reading.delete(id);
    }
  }
}

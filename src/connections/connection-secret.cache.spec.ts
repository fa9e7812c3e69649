import { TestClock } from '../../test/utils/test-clock';
import { NotFound } from '../common/errors';
import { ConnectionChangeListener, ConnectionChanges } from './connection-changes';
import { ConnectionSecretCache } from './connection-secret.cache';
import { ConnectionsService } from './connections.service';
import { PlatformConnection } from './entities/platform-connection.entity';

const ID = '0b6c2c55-5b3b-4d7e-9d53-1d8f3f6f1a01';

/** The cache's source: answers each read when the test says so, and counts the reads. */
class Source {
  reads = 0;
  private pending: (() => void)[] = [];
  rows = new Map<string, PlatformConnection>();
  secret = 's1';

  /** A read sees the secret as it is when the read begins. */
  findByIdBatched(id: string): Promise<PlatformConnection | null> {
    this.reads++;
    const row = this.rows.get(id);
    const read = row ? Object.assign(new PlatformConnection(), row, { credentialsEncrypted: this.secret }) : null;
    return new Promise((resolve) => this.pending.push(() => resolve(read)));
  }
  credentialsOf(conn: PlatformConnection): Promise<Record<string, string>> {
    return Promise.resolve({ secretToken: conn.credentialsEncrypted });
  }
  /** Answers every read waiting so far (the newest first with `newestFirst`). */
  async answer(newestFirst = false): Promise<void> {
    const waiting = newestFirst ? this.pending.reverse() : this.pending;
    this.pending = [];
    for (const go of waiting) {
      go();
      await new Promise((r) => setImmediate(r)); // each read finishes before the next is answered
    }
  }
}

function setup(): { cache: ConnectionSecretCache; source: Source; clock: TestClock; change: (id: string) => void } {
  const source = new Source();
  source.rows.set(ID, Object.assign(new PlatformConnection(), { id: ID, platform: 'telegram' }));
  const listeners: ConnectionChangeListener[] = [];
  const changes = { live: true, onChange: (l: ConnectionChangeListener) => listeners.push(l) } as unknown as ConnectionChanges;
  const clock = new TestClock();
  // a stand-in for the service: the cache only reads through these two methods
  const cache = new ConnectionSecretCache(source as unknown as ConnectionsService, changes, clock);
  return { cache, source, clock, change: (id) => listeners.forEach((l) => l(id)) };
}

describe('ConnectionSecretCache', () => {
  it('reads a connection once for a burst of lookups, and again only after its entry expires', async () => {
    const { cache, source, clock } = setup();
    const burst = Array.from({ length: 50 }, () => cache.lookup(ID, 'telegram', 'secretToken'));
    await source.answer();
    const got = await Promise.all(burst);
    expect(source.reads).toBe(1);
    expect(new Set(got.map((g) => g.secret))).toEqual(new Set(['s1']));

    await cache.lookup(ID, 'telegram', 'secretToken');
    expect(source.reads).toBe(1); // a hit

    clock.advance(60_000); // expired: the next burst reads once more
    const again = Array.from({ length: 50 }, () => cache.lookup(ID, 'telegram', 'secretToken'));
    await source.answer();
    await Promise.all(again);
    expect(source.reads).toBe(2);
  });

  it('a lookup after a change does not wait for a read that began before it, and that read is not kept', async () => {
    const { cache, source, change } = setup();
    const before = cache.lookup(ID, 'telegram', 'secretToken');
    change(ID); // e.g. the secret was rotated while the first read was on its way
    source.secret = 's2';
    const after = cache.lookup(ID, 'telegram', 'secretToken');
    expect(source.reads).toBe(2);
    await source.answer(true); // the old read lands last
    expect((await before).secret).toBe('s1');
    expect((await after).secret).toBe('s2');
    // the old read was not kept: the next lookup is served from the new one
    source.secret = 's3';
    expect((await cache.lookup(ID, 'telegram', 'secretToken')).secret).toBe('s2');
    expect(source.reads).toBe(2);
  });

  it('an unknown connection fails every waiting lookup and is read again next time (never cached)', async () => {
    const { cache, source } = setup();
    const unknown = '0b6c2c55-5b3b-4d7e-9d53-1d8f3f6f1a02';
    const burst = Promise.allSettled(Array.from({ length: 5 }, () => cache.lookup(unknown, 'telegram', 'secretToken')));
    await source.answer();
    for (const r of await burst) expect(r).toMatchObject({ status: 'rejected', reason: expect.any(NotFound) });
    expect(source.reads).toBe(1);
    const next = expect(cache.lookup(unknown, 'telegram', 'secretToken')).rejects.toBeInstanceOf(NotFound);
    await source.answer();
    await next;
    expect(source.reads).toBe(2);
  });

  it('a connection of another platform is not found, whatever a concurrent lookup of its own platform read', async () => {
    const { cache, source } = setup();
    const own = expect(cache.lookup(ID, 'telegram', 'secretToken')).resolves.toMatchObject({ secret: 's1' });
    const other = expect(cache.lookup(ID, 'slack', 'signingSecret')).rejects.toBeInstanceOf(NotFound);
    await source.answer();
    await Promise.all([own, other]);
  });
});

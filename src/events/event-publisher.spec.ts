import { EVENT_CATALOG, isKnownEventType } from './event-catalog';
import { newEventId } from './event-publisher';

describe('newEventId', () => {
  it('is evt_ + 26 lowercase Crockford base32 characters, fits the 40-char column', () => {
    const id = newEventId();
    expect(id).toMatch(/^evt_[0-9abcdefghjkmnpqrstvwxyz]{26}$/);
    expect(id.length).toBeLessThanOrEqual(40);
  });

  it('sorts by creation time and does not repeat', () => {
    const a = newEventId(1_700_000_000_000);
    const b = newEventId(1_700_000_000_001);
    expect(a.slice(0, 14) < b.slice(0, 14)).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => newEventId(1_700_000_000_000))).size).toBe(1000);
  });
});

describe('event catalog', () => {
  it('has unique types, each with a description and an example', () => {
    expect(new Set(EVENT_CATALOG.map((e) => e.type)).size).toBe(EVENT_CATALOG.length);
    for (const e of EVENT_CATALOG) {
      expect(e.type).toMatch(/^[a-z_]+\.[a-z_]+$/);
      expect(e.description.length).toBeGreaterThan(20);
      expect(Object.keys(e.example).length).toBeGreaterThan(0);
    }
    expect(isKnownEventType('github.push')).toBe(true);
    expect(isKnownEventType('github.pull_request')).toBe(false);
  });

  it('marks every type as emitted (job.* arrive with scheduled agent jobs)', () => {
    expect(EVENT_CATALOG.filter((e) => !e.emitted).map((e) => e.type)).toEqual([]);
  });

  it('examples of connection events never carry credentials', () => {
    const json = JSON.stringify(EVENT_CATALOG.find((e) => e.type === 'platform_connection.status_changed')?.example);
    expect(json).not.toMatch(/token|secret|credential|password/i);
  });
});

import { assembleEventCatalog, CORE_EVENT_CATALOG } from './event-catalog';
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

describe('core event catalog', () => {
  it('has unique types, each with a description and an example', () => {
    expect(new Set(CORE_EVENT_CATALOG.map((e) => e.type)).size).toBe(CORE_EVENT_CATALOG.length);
    for (const e of CORE_EVENT_CATALOG) {
      expect(e.type).toMatch(/^[a-z_]+\.[a-z_]+$/);
      expect(e.description.length).toBeGreaterThan(20);
      expect(Object.keys(e.example).length).toBeGreaterThan(0);
    }
  });

  it('marks every type as emitted (job.* arrive with scheduled agent jobs)', () => {
    expect(CORE_EVENT_CATALOG.filter((e) => !e.emitted).map((e) => e.type)).toEqual([]);
  });

  it('examples of connection events never carry credentials', () => {
    const json = JSON.stringify(CORE_EVENT_CATALOG.find((e) => e.type === 'platform_connection.status_changed')?.example);
    expect(json).not.toMatch(/token|secret|credential|password/i);
  });

  it('places the platforms\' types after the connection events and refuses a type listed twice', () => {
    const own = { type: 'acme.thing', description: 'Something happened at Acme, for this test.', example: { a: 1 }, emitted: true };
    const types = assembleEventCatalog([own]).map((e) => e.type);
    expect(types.indexOf('acme.thing')).toBe(types.indexOf('platform_connection.status_changed') + 1);
    expect(types).toHaveLength(CORE_EVENT_CATALOG.length + 1);
    expect(() => assembleEventCatalog([{ ...own, type: 'message.created' }])).toThrow('event type "message.created" is listed twice');
  });
});

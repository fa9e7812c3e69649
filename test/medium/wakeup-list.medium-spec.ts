import Redis from 'ioredis';
import { WakeupList } from '../../src/queue/wakeup-list';
import { RUN_PREFIX } from '../setup/run-prefix';
import { until } from '../utils/wait';

interface Wake {
  eventId: string;
}
const isWake = (x: unknown): x is Wake => typeof (x as Wake | null)?.eventId === 'string';

/** The wake-up list on a real Redis: batches bounded by room, order, bad payloads, giving back, stopping. */
describe('WakeupList (medium: real Redis)', () => {
  let client: Redis;
  let n = 0;
  const lists: WakeupList<Wake>[] = [];
  const list = (): WakeupList<Wake> => {
    const l = new WakeupList<Wake>(client, `${RUN_PREFIX}-wakeups:${process.pid}:${++n}`, 'WakeupListTest');
    lists.push(l);
    return l;
  };
  const wakes = (...ids: string[]): Wake[] => ids.map((eventId) => ({ eventId }));

  beforeAll(async () => {
    client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    await client.connect();
  });
  afterAll(async () => {
    for (const l of lists) await l.stop();
    for (const l of lists) await client.del(l.key);
    client.disconnect();
  });

  it('takes wake-ups in order, never more at a time than there is room for', async () => {
    const l = list();
    await l.push(wakes('a', 'b', 'c', 'd', 'e'));
    const batches: string[][] = [];
    l.consume(() => 2, (items) => batches.push(items.map((i) => i.eventId)), isWake);
    await until(() => batches.flat().length === 5, 'all five taken');
    expect(batches.flat()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(2);
    expect(await l.length()).toBe(0);
  });

  it('takes nothing while there is no room, and goes on when room is freed', async () => {
    const l = list();
    let room = 0;
    const taken: string[] = [];
    l.consume(() => room, (items) => taken.push(...items.map((i) => i.eventId)), isWake);
    await l.push(wakes('x', 'y'));
    await until(async () => (await l.length()) === 2, 'both waiting');
    expect(taken).toEqual([]);
    room = 10;
    l.roomFreed();
    await until(() => taken.length === 2, 'taken after room came back');
    expect(taken).toEqual(['x', 'y']);
  });

  it('drops payloads that are not wake-ups (not JSON, wrong shape) and takes the others', async () => {
    const l = list();
    await client.rpush(l.key, 'not json', JSON.stringify({ other: 1 }), JSON.stringify({ eventId: 'ok' }));
    const taken: Wake[] = [];
    l.consume(() => 10, (items) => taken.push(...items), isWake);
    await until(() => taken.length === 1, 'the valid one');
    expect(taken).toEqual([{ eventId: 'ok' }]);
    expect(await l.length()).toBe(0);
  });

  it('gives wake-ups back at the head, in their order', async () => {
    const l = list();
    await l.push(wakes('later'));
    await l.giveBack(wakes('first', 'second'));
    expect((await client.lrange(l.key, 0, -1)).map((s) => (JSON.parse(s) as Wake).eventId)).toEqual(['first', 'second', 'later']);
  });

  it('once stopped, takes nothing more: what is pushed afterwards stays on the list', async () => {
    const l = list();
    const taken: string[] = [];
    l.consume(() => 10, (items) => taken.push(...items.map((i) => i.eventId)), isWake);
    await l.push(wakes('before'));
    await until(() => taken.length === 1, 'taken while running');
    expect(await l.stop()).toEqual([]);
    await l.push(wakes('after'));
    expect(await l.length()).toBe(1);
    expect(taken).toEqual(['before']);
  });
});

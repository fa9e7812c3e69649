import { RetryLaterError } from '../platform-connector';
import { ChatPacer } from './chat-pacer';
import { PacedReplyStream } from './paced-reply-stream';

const retryAfter = (e: unknown): number | undefined => (e instanceof RetryLaterError ? e.delayMs : undefined);

describe('ChatPacer', () => {
  it('runs one call per chat at a time, the next starting intervalMs after the previous ended; chats are independent', async () => {
    const pacer = new ChatPacer(100, retryAfter, Date.now);
    const starts: Record<string, number[]> = { a: [], b: [] };
    const call = (k: 'a' | 'b') => () => {
      starts[k].push(Date.now());
      return new Promise<void>((r) => setTimeout(r, 20));
    };
    await Promise.all([pacer.run('a', call('a')), pacer.run('a', call('a')), pacer.run('b', call('b')), pacer.run('a', call('a'))]);
    const [a0, a1, a2] = starts.a;
    expect(a1 - a0).toBeGreaterThanOrEqual(118);
    expect(a2 - a1).toBeGreaterThanOrEqual(118);
    expect(starts.b[0] - a0).toBeLessThan(50);
  });

  it("a 429 holds the chat for its retry-after; ready() waits for the chat without taking a turn", async () => {
    const pacer = new ChatPacer(50, retryAfter, Date.now);
    await expect(pacer.run('c', () => Promise.reject(new RetryLaterError('429', 1000)))).rejects.toThrow('429');
    const wait = pacer.waitMs('c');
    expect(wait).toBeGreaterThan(500); // the retry-after, not the 50 ms interval
    const t0 = Date.now();
    await pacer.ready('c');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(wait - 20);
    expect(pacer.waitMs('c')).toBe(0);
    expect(pacer.waitMs('never-used')).toBe(0);
  });
});

describe('PacedReplyStream', () => {
  it('posts at once, then edits the latest text at the pacer\'s rate, rolls into new pages, and reports the messages', async () => {
    const pacer = new ChatPacer(100, retryAfter, Date.now);
    const log: { op: string; at: number; page: string }[] = [];
    let id = 0;
    const stream = new PacedReplyStream(
      pacer,
      'k',
      {
        pages: (text) => text.match(/.{1,10}/g) ?? [],
        post: (page) => (log.push({ op: 'post', at: Date.now(), page }), Promise.resolve(String(++id))),
        edit: (_id, page) => (log.push({ op: 'edit', at: Date.now(), page }), Promise.resolve()),
      },
      1000,
    );
    const t0 = Date.now();
    let text = '';
    for (let i = 0; i < 15; i++) {
      text += 'ab';
      stream.update(text);
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 250));
    expect(await stream.close()).toEqual(['1', '2', '3']);
    expect(log[0]).toMatchObject({ op: 'post', page: 'ab' });
    expect(log[0].at - t0).toBeLessThan(90); // before the first pacing interval (100 ms)
    for (let i = 1; i < log.length; i++) expect(log[i].at - log[i - 1].at).toBeGreaterThanOrEqual(99);
    expect(log.filter((l) => l.op === 'post').map((l) => l.page)).toHaveLength(3);
    stream.update('ignored after close');
    expect(log.at(-1)?.page).not.toBe('ignored af');
  });
});

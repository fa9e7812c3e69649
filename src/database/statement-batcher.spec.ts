import { statementBatcher } from './statement-batcher';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A batcher whose statement records the batches it ran. */
function recording(lingerMs: number): { call: (n: number) => Promise<number>; batches: number[][] } {
  const batches: number[][] = [];
  const call = statementBatcher<number, number>((keys) => {
    batches.push([...keys]);
    return Promise.resolve(keys.map((k) => k * 10));
  }, 200, lingerMs);
  return { call, batches };
}

describe('statementBatcher', () => {
  it('runs the calls of one turn as one statement, each caller getting its own result', async () => {
    const { call, batches } = recording(0);
    await expect(Promise.all([call(1), call(2), call(3)])).resolves.toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('fails only the call whose result is an Error', async () => {
    const call = statementBatcher<number, number>((keys) => Promise.resolve(keys.map((k) => (k === 2 ? new Error('two') : k))), 200, 0);
    const results = await Promise.allSettled([call(1), call(2), call(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('without a linger, calls a few milliseconds apart are separate statements', async () => {
    const { call, batches } = recording(0);
    await call(0);
    await Promise.all([call(1), sleep(10).then(() => call(2)), sleep(20).then(() => call(3))]);
    expect(batches.length).toBeGreaterThan(2); // not gathered (4, unless a stalled loop fires both timers in one turn)
  });

  it('with a linger, a busy statement gathers calls arriving a few milliseconds apart', async () => {
    const { call, batches } = recording(60);
    await call(0); // the statement just ran: it is busy
    expect(batches).toEqual([[0]]);
    await Promise.all([call(1), sleep(10).then(() => call(2)), sleep(20).then(() => call(3))]);
    expect(batches).toEqual([[0], [1, 2, 3]]);
  });

  it('with a linger, an idle statement does not wait: a lone call goes at once', async () => {
    const { call, batches } = recording(1000);
    const started = Date.now();
    await call(7);
    await sleep(40); // longer than the busy window
    await call(8);
    expect(Date.now() - started).toBeLessThan(900);
    expect(batches).toEqual([[7], [8]]);
  });
});

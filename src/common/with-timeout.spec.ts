import { TimeoutError, withTimeout } from './with-timeout';

describe('withTimeout', () => {
  it('settles like the promise when it is in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1000)).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('boom')), 1000)).rejects.toThrow('boom');
  });

  it('rejects with a TimeoutError naming the operation when the promise is late', async () => {
    const never = new Promise<never>(() => undefined);
    const started = Date.now();
    const err = await withTimeout(never, 50, 'enqueue').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toBe('enqueue: no answer within 50 ms');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a late rejection of the abandoned promise is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (r: unknown): void => void unhandled.push(r);
    process.on('unhandledRejection', onUnhandled);
    try {
      const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('late')), 30));
      await expect(withTimeout(late, 5)).rejects.toBeInstanceOf(TimeoutError);
      await new Promise((r) => setTimeout(r, 60));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

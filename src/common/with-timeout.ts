/** `withTimeout` gave up waiting: the operation may still finish later, but nobody waits for it. */
export class TimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Settles like `promise`, or rejects with a TimeoutError after `ms`. The promise itself is not cancelled; a late
 * rejection of it is swallowed (it has no one left to tell) so it never becomes an unhandled rejection.
 *
 * When the timer fires, pending I/O gets one more turn first (setImmediate runs after the poll phase): if this process
 * was busy past the deadline, an answer that arrived meanwhile still wins over the timeout.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'operation'): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => setImmediate(() => reject(new TimeoutError(what, ms))), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

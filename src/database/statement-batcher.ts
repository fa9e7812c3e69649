import DataLoader from 'dataloader';

/**
 * Gathers the same short statement issued by many concurrent callers (one per conversation) into one round trip: a
 * call waits at most for the current turn of the event loop, then every call gathered so far runs as one statement
 * (`run` gets them in order and returns one result per call, in the same order — an Error fails that call alone).
 * Round trips, not statements, are what cost on a busy machine.
 */
export function statementBatcher<K, V>(run: (keys: readonly K[]) => Promise<(V | Error)[]>, maxBatchSize = 200): (key: K) => Promise<V> {
  const loader = new DataLoader<K, V>(async (keys) => run(keys), {
    cache: false,
    maxBatchSize,
    batchScheduleFn: (go) => setImmediate(go),
  });
  return (key) => loader.load(key);
}

import DataLoader from 'dataloader';
import { performance } from 'node:perf_hooks';

/** A statement whose previous batch started less than this long ago is busy: its next batch may linger. */
const BUSY_MS = 20;

/**
 * How long a busy statement's next batch gathers calls. Measured with bench:pipeline's 200-chat burst (2 cores,
 * 10–14 interleaved runs per variant, each pair in the same run): on the webhook insert and wake-up alone, api + 2
 * workers 68 → 77 replies/s and one process 77 → 81, with PostgreSQL's CPU per burst down by a third (100–400 inserts
 * per burst became a few dozen); then on every statement of the pipeline too, api + 2 workers 73 → 77. 2,000 chats at
 * once: api + 2 workers 255 → 317 replies/s, one process unchanged within noise; the echo load (50 senders, each
 * waiting for its answer): unchanged within noise. A call waits at most this much longer per statement, and only while
 * the statement is busy.
 */
export const BUSY_LINGER_MS = 4;

/**
 * Gathers the same short statement issued by many concurrent callers (one per conversation) into one round trip: a
 * call waits at most for the current turn of the event loop, then every call gathered so far runs as one statement
 * (`run` gets them in order and returns one result per call, in the same order — an Error fails that call alone).
 * Round trips, not statements, are what cost on a busy machine.
 *
 * `lingerMs`: while the statement is busy (its previous batch started within the last 20 ms), a new batch waits this
 * long instead of only the current turn, so calls arriving a few milliseconds apart — webhooks of a burst, each on its
 * own connection; conversations whose agent calls return at slightly different moments — still share one statement.
 * An idle statement never waits: a lone call goes at once.
 */
export function statementBatcher<K, V>(run: (keys: readonly K[]) => Promise<(V | Error)[]>, maxBatchSize = 200, lingerMs = BUSY_LINGER_MS): (key: K) => Promise<V> {
  let lastStart = -Infinity;
  const loader = new DataLoader<K, V>(
    async (keys) => {
      lastStart = performance.now();
      return run(keys);
    },
    {
      cache: false,
      maxBatchSize,
      batchScheduleFn: (go) => (lingerMs > 0 && performance.now() - lastStart < BUSY_MS ? setTimeout(go, lingerMs) : setImmediate(go)),
    },
  );
  return (key) => loader.load(key);
}

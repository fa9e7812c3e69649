const MAX_RETRY_TIMES = 10_000;

/**
 * The dispatcher's clocks: the safety-net poll, the retries it scheduled itself (so a retry is claimed at its time,
 * not at the next poll), the next rate-limit slot, and a back-off after a failed claim.
 */
export class DispatchTimers {
  private poll?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private retryTimerAt = Infinity;
  /** Sorted times (ms) of retries not yet due. */
  private retryTimes: number[] = [];
  private slot?: NodeJS.Timeout;
  private slotTimerAt = Infinity;
  private backoff?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly claim: () => void,
    private readonly pump: () => void,
    /** The app's Clock (delays are `at - now()`). */
    private readonly now: () => number,
  ) {}

  startPolling(intervalMs: number): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.claim();
      this.poll = setTimeout(tick, intervalMs);
    };
    this.poll = setTimeout(tick, intervalMs);
  }

  /** A delivery this dispatcher recorded for retry falls due at `at`. */
  retryAt(at: number): void {
    if (this.stopped) return;
    if (this.retryTimes.length >= MAX_RETRY_TIMES) return; // the poll covers the rest
    let lo = 0;
    let hi = this.retryTimes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.retryTimes[mid] < at) lo = mid + 1;
      else hi = mid;
    }
    this.retryTimes.splice(lo, 0, at);
    this.armRetry();
  }

  retryClaimIn(ms: number): void {
    if (this.stopped || this.backoff) return;
    this.backoff = setTimeout(() => {
      this.backoff = undefined;
      this.claim();
    }, ms);
  }

  /** The earliest rate-limit slot a held delivery waits for (undefined: none). */
  slotAt(at: number | undefined): void {
    if (this.stopped || at === undefined || at >= this.slotTimerAt) return;
    clearTimeout(this.slot);
    this.slotTimerAt = at;
    this.slot = setTimeout(
      () => {
        this.slotTimerAt = Infinity;
        this.pump();
      },
      Math.max(0, at - this.now()),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const t of [this.poll, this.retry, this.slot, this.backoff]) clearTimeout(t);
    this.retryTimes = [];
  }

  private armRetry(): void {
    const first = this.retryTimes[0];
    if (first === undefined || first >= this.retryTimerAt) return;
    clearTimeout(this.retry);
    this.retryTimerAt = first;
    this.retry = setTimeout(() => this.fireRetry(), Math.max(0, first - this.now()));
  }

  private fireRetry(): void {
    this.retryTimerAt = Infinity;
    const now = this.now();
    let n = 0;
    while (n < this.retryTimes.length && this.retryTimes[n] <= now) n++;
    this.retryTimes.splice(0, n);
    this.claim();
    this.armRetry();
  }
}

import { Clock } from '../../src/common/clock';

/**
 * A clock tests move: real time plus an offset, so timeouts and leases still pass as usual while `advance` jumps the
 * app's "now" (expiry, retention, idle conversations) without rewriting rows. Pass it as `createTestApp({ clock })`.
 */
export class TestClock extends Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }
  /** Moves the app's time forward by `ms`. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  /** Back to real time (call it in `finally` so later tests of the file run at real time). */
  reset(): void {
    this.offsetMs = 0;
  }
}

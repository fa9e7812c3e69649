/**
 * Spaces a connector's calls to one chat: one call at a time, the next starting at least `intervalMs` after the
 * previous one ended (so the platform sees them ≥ intervalMs apart), and none before a 429's retry-after has passed.
 * In-process: a conversation's streamed reply is written by the one worker that holds its lease. The time comes from
 * `nowMs` (the owning connector passes its Clock's).
 */
export class ChatPacer {
  private readonly slots = new Map<string, { busy: boolean; freeAt: number; pending: number; queue: Promise<void> }>();

  constructor(
    readonly intervalMs: number,
    /** How long the platform asked us to wait, when `e` is its 429; else undefined. */
    private readonly retryAfterMs: (e: unknown) => number | undefined,
    /** The current time in ms (the owner's Clock). */
    private readonly nowMs: () => number,
    private readonly maxSlots = 10_000,
  ) {}

  /** How long until a call to `key` could start (0: now). */
  waitMs(key: string): number {
    const s = this.slots.get(key);
    if (!s) return 0;
    if (s.busy || s.pending > 0) return Math.max(this.intervalMs, s.freeAt - this.nowMs());
    return Math.max(0, s.freeAt - this.nowMs());
  }

  /**
   * Resolves once a call to `key` may start (at once for a chat with no paced calls), without taking the turn: for a
   * reply sent without streaming right after a stream that showed nothing yet, or a retry's.
   */
  ready(key: string): Promise<void> {
    return this.slots.has(key) ? this.run(key, () => Promise.resolve()).then(() => this.shiftBack(key)) : Promise.resolve();
  }

  /** Runs `fn` as the chat's next call, waiting for its turn. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const s = this.slot(key);
    s.pending++;
    const result = s.queue.then(async () => {
      const wait = s.freeAt - this.nowMs();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      s.busy = true;
      try {
        return await fn();
      } catch (e) {
        const ms = this.retryAfterMs(e);
        if (ms !== undefined) s.freeAt = Math.max(s.freeAt, this.nowMs() + ms);
        throw e;
      } finally {
        s.busy = false;
        s.pending--;
        s.freeAt = Math.max(s.freeAt, this.nowMs() + this.intervalMs);
      }
    });
    s.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** `ready` took a turn without a call: the chat is free again at once. */
  private shiftBack(key: string): void {
    const s = this.slots.get(key);
    if (s && !s.busy && s.pending === 0) s.freeAt = this.nowMs();
  }

  private slot(key: string): { busy: boolean; freeAt: number; pending: number; queue: Promise<void> } {
    let s = this.slots.get(key);
    if (s) return s;
    if (this.slots.size >= this.maxSlots) {
      const now = this.nowMs();
      for (const [k, v] of this.slots) if (!v.busy && v.pending === 0 && v.freeAt < now) this.slots.delete(k);
    }
    s = { busy: false, freeAt: 0, pending: 0, queue: Promise.resolve() };
    this.slots.set(key, s);
    return s;
  }
}

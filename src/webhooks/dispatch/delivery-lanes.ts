import type { ClaimedDelivery } from './delivery-batch.repository';

/** How long a queue a fast endpoint may keep ahead of its requests: this many ms of its recent throughput. */
const PREFETCH_MS = 250;
const RATE_WINDOW_MS = 500;
/** A busy endpoint is topped up by a claim only when it may take at least this many more. */
const MIN_TOP_UP = 100;

class Lane {
  readonly queue: ClaimedDelivery[] = [];
  inFlight = 0;
  inReady = false;
  /** Completions in the current and the previous window (recent throughput). */
  private windowStart = 0;
  private current = 0;
  private previous = 0;

  constructor(readonly endpointId: string) {}

  get held(): number {
    return this.queue.length + this.inFlight;
  }

  completed(now: number): void {
    if (now - this.windowStart >= RATE_WINDOW_MS) {
      this.previous = now - this.windowStart >= 2 * RATE_WINDOW_MS ? 0 : this.current;
      this.current = 0;
      this.windowStart = now;
    }
    this.current++;
  }

  /** Deliveries per second lately. */
  rate(now: number): number {
    const age = now - this.windowStart;
    if (age >= 2 * RATE_WINDOW_MS) return 0;
    return ((this.previous + this.current) * 1000) / (RATE_WINDOW_MS + Math.min(age, RATE_WINDOW_MS));
  }
}

/**
 * The deliveries a dispatcher holds, one lane per endpoint: at most `endpointConcurrency` requests in flight per
 * endpoint, lanes served round-robin, rate-limited deliveries not before their slot. How many more deliveries of an
 * endpoint a claim may take follows the endpoint's speed: its in-flight cap plus ~250 ms of its recent throughput, so
 * a slow or dead endpoint holds few rows and a fast one keeps its pipe full between claims.
 */
export class DeliveryLanes {
  private readonly lanes = new Map<string, Lane>();
  private ready: Lane[] = [];
  /** Lanes whose next delivery waits for its rate-limit slot. */
  private readonly waiting = new Set<Lane>();
  queued = 0;
  inFlight = 0;

  constructor(
    private readonly endpointConcurrency: number,
    private readonly maxPerEndpoint: number,
  ) {}

  get held(): number {
    return this.queued + this.inFlight;
  }

  add(deliveries: readonly ClaimedDelivery[]): void {
    const touched = new Set<Lane>();
    for (const d of deliveries) {
      let lane = this.lanes.get(d.endpointId);
      if (!lane) this.lanes.set(d.endpointId, (lane = new Lane(d.endpointId)));
      lane.queue.push(d);
      touched.add(lane);
      this.queued++;
    }
    for (const lane of touched) {
      if (lane.queue.some((d) => d.sendAt)) lane.queue.sort((a, b) => (a.sendAt?.getTime() ?? 0) - (b.sendAt?.getTime() ?? 0));
      this.makeReady(lane);
    }
  }

  /** The next delivery that may be sent now, or undefined. Round-robin across endpoints. */
  take(now: number): ClaimedDelivery | undefined {
    while (this.ready.length) {
      const lane = this.ready.shift() as Lane;
      lane.inReady = false;
      if (!lane.queue.length || lane.inFlight >= this.endpointConcurrency) continue;
      const head = lane.queue[0];
      if (head.sendAt && head.sendAt.getTime() > now) {
        this.waiting.add(lane);
        continue;
      }
      lane.queue.shift();
      this.queued--;
      lane.inFlight++;
      this.inFlight++;
      this.makeReady(lane);
      return head;
    }
    return undefined;
  }

  /** A delivery taken by `take` finished (sent or given up). */
  done(d: ClaimedDelivery, now: number): void {
    const lane = this.lanes.get(d.endpointId);
    if (!lane) return;
    lane.inFlight--;
    this.inFlight--;
    lane.completed(now);
    this.makeReady(lane); // an idle lane stays while its throughput is recent (allowances() drops it later)
  }

  /** Lanes whose slot came: back in the round. Returns the earliest slot still ahead, if any. */
  releaseSlots(now: number): number | undefined {
    let next: number | undefined;
    for (const lane of this.waiting) {
      const at = lane.queue[0]?.sendAt?.getTime() ?? 0;
      if (at <= now) {
        this.waiting.delete(lane);
        this.makeReady(lane);
      } else if (next === undefined || at < next) next = at;
    }
    return next;
  }

  /** For the claim: endpoints this dispatcher holds deliveries of, and how many more of each it may take. */
  allowances(now: number): { endpointIds: string[]; remaining: number[] } {
    const endpointIds: string[] = [];
    const remaining: number[] = [];
    for (const lane of this.lanes.values()) {
      if (lane.held === 0 && !this.waiting.has(lane) && lane.rate(now) === 0) {
        this.lanes.delete(lane.endpointId);
        continue;
      }
      endpointIds.push(lane.endpointId);
      // a top-up too small to be worth a claim waits until the lane has drained further (claims cost ~10 ms each)
      const allowance = this.allowance(lane, now);
      const room = allowance - lane.held;
      remaining.push(room >= Math.min(MIN_TOP_UP, allowance / 2) || lane.held === 0 ? Math.max(0, room) : 0);
    }
    return { endpointIds, remaining };
  }

  /** How many deliveries of an endpoint nobody here holds yet may be claimed at once. */
  get freshAllowance(): number {
    return this.endpointConcurrency;
  }

  /** Every queued (unsent) delivery, removed. */
  drain(): ClaimedDelivery[] {
    const out: ClaimedDelivery[] = [];
    for (const lane of this.lanes.values()) out.push(...lane.queue.splice(0));
    this.queued = 0;
    this.ready = [];
    this.waiting.clear();
    return out;
  }

  private allowance(lane: Lane, now: number): number {
    return Math.min(this.maxPerEndpoint, this.endpointConcurrency + Math.ceil((lane.rate(now) * PREFETCH_MS) / 1000));
  }

  private makeReady(lane: Lane): void {
    if (!lane.inReady && lane.queue.length && lane.inFlight < this.endpointConcurrency && !this.waiting.has(lane)) {
      lane.inReady = true;
      this.ready.push(lane);
    }
  }
}

import type { ClaimedDelivery } from './delivery-batch.repository';
import { DeliveryLanes } from './delivery-lanes';

let seq = 0;
const delivery = (endpointId: string, sendAt?: number): ClaimedDelivery =>
  ({ id: `d${++seq}`, endpointId, sendAt: sendAt === undefined ? null : new Date(sendAt) }) as ClaimedDelivery;

describe('DeliveryLanes', () => {
  it('serves endpoints round-robin', () => {
    const lanes = new DeliveryLanes(10, 100);
    lanes.add([delivery('a'), delivery('a'), delivery('a'), delivery('b'), delivery('b'), delivery('c')]);
    const order = Array.from({ length: 6 }, () => lanes.take(0)?.endpointId);
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'a']);
    expect(lanes.take(0)).toBeUndefined();
    expect(lanes).toMatchObject({ queued: 0, inFlight: 6 });
  });

  it('never has more than the per-endpoint cap in flight; a finished request lets the next one go', () => {
    const lanes = new DeliveryLanes(2, 100);
    lanes.add([delivery('slow'), delivery('slow'), delivery('slow'), delivery('fast')]);
    const taken = [lanes.take(0), lanes.take(0), lanes.take(0), lanes.take(0)];
    expect(taken.map((d) => d?.endpointId)).toEqual(['slow', 'fast', 'slow', undefined]);
    lanes.done(taken[0] as ClaimedDelivery, 0);
    expect(lanes.take(0)?.endpointId).toBe('slow');
    expect(lanes.held).toBe(3);
  });

  it('holds a rate-limited delivery until its slot, in slot order', () => {
    const lanes = new DeliveryLanes(10, 100);
    lanes.add([delivery('r', 1200), delivery('r', 1000), delivery('free')]);
    expect(lanes.take(900)?.endpointId).toBe('free');
    expect(lanes.take(900)).toBeUndefined();
    expect(lanes.releaseSlots(900)).toBe(1000);
    expect(lanes.releaseSlots(1000)).toBeUndefined();
    expect(lanes.take(1000)?.sendAt?.getTime()).toBe(1000);
    expect(lanes.take(1000)).toBeUndefined();
    expect(lanes.releaseSlots(1000)).toBe(1200);
    expect(lanes.releaseSlots(1200)).toBeUndefined();
    expect(lanes.take(1200)?.sendAt?.getTime()).toBe(1200);
  });

  it('lets a claim take more of a fast endpoint than of a slow one', () => {
    const lanes = new DeliveryLanes(4, 500);
    const fast = Array.from({ length: 400 }, () => delivery('fast'));
    lanes.add([...fast, delivery('slow')]);
    // 400 fast deliveries finish within the last second; the slow one never does
    for (let i = 0; i < 400; i++) {
      const d = lanes.take(i) as ClaimedDelivery;
      if (d.endpointId === 'fast') lanes.done(d, i);
    }
    const { endpointIds, remaining } = lanes.allowances(400);
    const allowance = (id: string): number => remaining[endpointIds.indexOf(id)];
    expect(allowance('slow')).toBe(3); // its cap (4) minus the one in flight
    expect(allowance('fast')).toBeGreaterThan(50); // cap + ~250 ms of its throughput
    expect(allowance('fast')).toBeLessThanOrEqual(500);
  });

  it('tops a busy fast endpoint up only when it may take a worthwhile batch (claims cost a round trip each)', () => {
    const lanes = new DeliveryLanes(4, 500);
    lanes.add(Array.from({ length: 400 }, () => delivery('fast')));
    for (let i = 0; i < 400; i++) lanes.done(lanes.take(i) as ClaimedDelivery, i); // ~440/s lately: allowance 4 + 111 = 115
    const remaining = (): number => lanes.allowances(400).remaining[0];
    lanes.add(Array.from({ length: 80 }, () => delivery('fast'))); // 35 more would fit: fewer than half its allowance
    expect(remaining()).toBe(0);
    for (let i = 0; i < 40; i++) lanes.done(lanes.take(400) as ClaimedDelivery, 400); // 40 sent: ~75 fit now
    expect(remaining()).toBeGreaterThanOrEqual(60);
    expect(remaining()).toBeLessThan(100);
  });

  it('drain gives back every queued delivery and forgets idle lanes', () => {
    const lanes = new DeliveryLanes(1, 100);
    lanes.add([delivery('a'), delivery('a'), delivery('b')]);
    const inFlight = lanes.take(0) as ClaimedDelivery;
    expect(lanes.drain().map((d) => d.endpointId).sort()).toEqual(['a', 'b']);
    expect(lanes.queued).toBe(0);
    lanes.done(inFlight, 0);
    expect(lanes.held).toBe(0);
    expect(lanes.allowances(10_000).endpointIds).toEqual([]);
  });
});

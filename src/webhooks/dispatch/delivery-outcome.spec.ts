import type { OutboundResult } from '../../http/outbound-http-client';
import type { ClaimedDelivery } from './delivery-batch.repository';
import { decideOutcome } from './delivery-outcome';

const SCHEDULE = [0, 60, 300];
const T0 = new Date('2026-01-15T10:00:00.000Z');
const at = (s: number): Date => new Date(T0.getTime() + s * 1000);
const http = (status: number, headers: Record<string, string> = {}): OutboundResult => ({ ok: true, status, headers, body: 'b', truncated: false, durationMs: 5 });
const claimed = (over: Partial<ClaimedDelivery> = {}): ClaimedDelivery =>
  ({ id: 'd1', attemptCount: 0, roundAttempts: 0, roundStartedAt: null, endpointStatus: 'active', ...over }) as ClaimedDelivery;
const noJitter = (): number => 0;

describe('decideOutcome', () => {
  it('2xx is delivered; a failing endpoint recovers', () => {
    expect(decideOutcome(claimed(), http(204), {}, T0, SCHEDULE, T0).record).toMatchObject({ status: 'delivered', attemptNumber: 1, deliveredAt: T0 });
    expect(decideOutcome(claimed(), http(204), {}, T0, SCHEDULE, T0).change).toBeNull();
    expect(decideOutcome(claimed({ endpointStatus: 'failing' }), http(200), {}, T0, SCHEDULE, T0).change).toBe('recovered');
  });

  it('a failure is retried at the next step of the round that started with the first attempt', () => {
    const first = decideOutcome(claimed(), http(500), {}, T0, SCHEDULE, T0, noJitter);
    expect(first.record).toMatchObject({ status: 'pending', roundAttempts: 1, roundStartedAt: T0, nextAttemptAt: at(60) });
    const second = decideOutcome(claimed({ attemptCount: 1, roundAttempts: 1, roundStartedAt: T0 }), http(500), {}, at(61), SCHEDULE, at(61), noJitter);
    expect(second.record).toMatchObject({ attemptNumber: 2, nextAttemptAt: at(300) });
  });

  it('the last failure fails the delivery and the endpoint goes failing; network errors count as failures', () => {
    const net: OutboundResult = { ok: false, errorCode: 'TIMEOUT', message: 'request timed out', durationMs: 10_000 };
    const last = decideOutcome(claimed({ attemptCount: 2, roundAttempts: 2, roundStartedAt: T0 }), net, {}, at(301), SCHEDULE, at(311));
    expect(last.record).toMatchObject({ status: 'failed', nextAttemptAt: null, statusCode: null, errorCode: 'TIMEOUT', attemptNumber: 3 });
    expect(last.change).toBe('exhausted');
  });

  it('410 fails at once and disables the endpoint', () => {
    const gone = decideOutcome(claimed(), http(410), {}, T0, SCHEDULE, T0);
    expect(gone.record).toMatchObject({ status: 'failed', nextAttemptAt: null, statusCode: 410 });
    expect(gone.change).toBe('gone');
  });

  it('honours Retry-After on 429 and 503, capped at the step after the next', () => {
    expect(decideOutcome(claimed(), http(429, { 'retry-after': '10' }), {}, T0, SCHEDULE, T0).record.nextAttemptAt).toEqual(at(10));
    expect(decideOutcome(claimed(), http(503, { 'retry-after': '9999' }), {}, T0, SCHEDULE, T0).record.nextAttemptAt).toEqual(at(300));
    expect(decideOutcome(claimed(), http(500, { 'retry-after': '10' }), {}, T0, SCHEDULE, T0, noJitter).record.nextAttemptAt).toEqual(at(60));
  });

  it('a recovered (new round) delivery keeps counting attempt numbers', () => {
    const d = claimed({ attemptCount: 3, roundAttempts: 0, roundStartedAt: null });
    expect(decideOutcome(d, http(200), {}, at(1000), SCHEDULE, at(1000)).record).toMatchObject({ attemptNumber: 4, roundAttempts: 1, roundStartedAt: at(1000) });
  });
});

import type { OutboundResult } from '../../http/outbound-http-client';
import { parseRetryAfter } from '../../http/retry-after';
import { nextAttemptAt } from '../retry-schedule';
import type { AttemptRecord, ClaimedDelivery } from './delivery-batch.repository';

/** What an attempt does to its endpoint: the first success of a failing one, a 410, or a delivery out of retries. */
export type EndpointChange = 'recovered' | 'gone' | 'exhausted';

export interface Outcome {
  record: AttemptRecord;
  change: EndpointChange | null;
}

/**
 * The consumer contract (README): 2xx = delivered; 410 = failed and the endpoint disabled; anything else is retried on
 * the schedule (counted from the round's first attempt, with jitter), a 429/503 Retry-After is honoured up to the
 * step after the next; when the schedule is exhausted the delivery fails and the endpoint goes failing.
 */
export function decideOutcome(
  d: ClaimedDelivery,
  result: OutboundResult,
  requestHeaders: Record<string, string>,
  attemptedAt: Date,
  schedule: readonly number[],
  now: Date,
  random?: () => number,
): Outcome {
  const roundStartedAt = d.roundStartedAt ?? attemptedAt;
  const roundAttempts = d.roundAttempts + 1;
  let status: AttemptRecord['status'];
  let next: Date | null = null;
  let change: EndpointChange | null = null;
  if (result.ok && result.status >= 200 && result.status < 300) {
    status = 'delivered';
    if (d.endpointStatus === 'failing') change = 'recovered';
  } else if (result.ok && result.status === 410) {
    status = 'failed';
    change = 'gone';
  } else {
    const retryAfter = result.ok && (result.status === 429 || result.status === 503) ? parseRetryAfter(result.headers['retry-after'], now) : undefined;
    next = nextAttemptAt({ schedule, firstAttemptAt: roundStartedAt, attemptsMade: roundAttempts, now, retryAfterSeconds: retryAfter, random });
    status = next ? 'pending' : 'failed';
    if (!next) change = 'exhausted';
  }
  return {
    change,
    record: {
      deliveryId: d.id,
      attemptNumber: d.attemptCount + 1,
      requestHeaders,
      statusCode: result.ok ? result.status : null,
      responseBody: result.ok ? result.body : null,
      durationMs: result.durationMs,
      errorCode: result.ok ? null : result.errorCode,
      errorMessage: result.ok ? null : result.message,
      attemptedAt,
      status,
      roundAttempts,
      roundStartedAt,
      nextAttemptAt: next,
      deliveredAt: status === 'delivered' ? now : null,
    },
  };
}

export function describeResult(result: OutboundResult): string {
  return result.ok ? `HTTP ${result.status}` : result.errorCode;
}

import { isValidSlackRequest } from '@slack/bolt';
import { createHmac } from 'node:crypto';

export const SLACK_MAX_SKEW_S = 300;

/** `v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}` — what Slack sends in X-Slack-Signature. Tests sign with this. */
export function signSlackRequest(signingSecret: string, timestampSeconds: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex')}`;
}

/**
 * Slack's own verifier (@slack/bolt: constant-time compare, rejects timestamps older than 5 minutes) plus the check it
 * lacks: timestamps more than 5 minutes in the future are replays too.
 */
export function verifySlackSignature(opts: { signingSecret: string; rawBody: string; signature?: string; timestamp?: string; nowMs?: number }): boolean {
  // Slack stamps requests with its wall-clock time, so the check uses the system clock unless told (documented)
  // eslint-disable-next-line no-restricted-properties
  const now = opts.nowMs ?? Date.now();
  const ts = Number(opts.timestamp);
  if (!opts.signature || !opts.timestamp || !Number.isInteger(ts)) return false;
  if (Math.abs(Math.floor(now / 1000) - ts) > SLACK_MAX_SKEW_S) return false;
  return isValidSlackRequest({
    signingSecret: opts.signingSecret,
    body: opts.rawBody,
    headers: { 'x-slack-signature': opts.signature, 'x-slack-request-timestamp': ts },
    nowMilliseconds: now,
  });
}

import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';

/** Standard Webhooks (https://www.standardwebhooks.com) signatures, plus a legacy body-only header. */

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface WebhookHeadersInput {
  /** Current secret first; older secrets still in their rotation overlap after it. */
  secrets: string[];
  msgId: string;
  timestampSeconds: number;
  body: string;
  eventType: string;
}

@Injectable()
export class WebhookSigner {
  /** `v1,<base64 HMAC-SHA256 of "msgId.timestamp.body">`. */
  sign(secret: string, msgId: string, timestampSeconds: number, body: string): string {
    assertTimestamp(timestampSeconds);
    const mac = createHmac('sha256', secretKey(secret)).update(`${msgId}.${timestampSeconds}.${body}`).digest('base64');
    return `v1,${mac}`;
  }

  /** Space-separated v1 signatures, one per secret, in the given order. */
  signatureHeader(secrets: string[], msgId: string, timestampSeconds: number, body: string): string {
    if (secrets.length === 0) throw new Error('at least one webhook secret is required');
    return secrets.map((secret) => this.sign(secret, msgId, timestampSeconds, body)).join(' ');
  }

  /** `sha256=<hex HMAC-SHA256 of the body>`, for receivers written against the older scheme. */
  legacyBodySignature(secret: string, body: string): string {
    return `sha256=${createHmac('sha256', secretKey(secret)).update(body).digest('hex')}`;
  }

  headers({ secrets, msgId, timestampSeconds, body, eventType }: WebhookHeadersInput): Record<string, string> {
    const signature = this.signatureHeader(secrets, msgId, timestampSeconds, body);
    return {
      'content-type': 'application/json',
      'webhook-id': msgId,
      'webhook-timestamp': String(timestampSeconds),
      'webhook-signature': signature,
      'x-webhook-event': eventType,
      'x-webhook-id': msgId,
      'x-webhook-signature': this.legacyBodySignature(secrets[0], body),
      'user-agent': 'Switchboard-Webhooks/1.0',
    };
  }
}

/** The HMAC key: the base64-decoded part after `whsec_`. Errors never include the secret. */
function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : '';
  if (!BASE64.test(encoded)) throw new Error('webhook secret must be "whsec_" followed by base64');
  return Buffer.from(encoded, 'base64');
}

function assertTimestamp(timestampSeconds: number): void {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError('webhook timestamp must be a non-negative integer number of seconds');
  }
}

import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from '../../crypto/secrets';
import { WebhookSigner } from './webhook-signer';

describe('WebhookSigner', () => {
  const signer = new WebhookSigner();
  const body = JSON.stringify({ type: 'message.received', data: { text: 'héllo' } });
  const msgId = 'msg_2Yk3q';
  const now = () => Math.floor(Date.now() / 1000);

  it('matches the reference implementation', () => {
    const secret = generateWebhookSecret();
    const ts = now();
    expect(signer.sign(secret, msgId, ts, body)).toBe(new Webhook(secret).sign(msgId, new Date(ts * 1000), body));
  });

  it('produces headers that verify with a single secret', () => {
    const secret = generateWebhookSecret();
    const headers = signer.headers({ secrets: [secret], msgId, timestampSeconds: now(), body, eventType: 'message.received' });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': msgId,
      'x-webhook-id': msgId,
      'x-webhook-event': 'message.received',
      'user-agent': 'Switchboard-Webhooks/1.0',
    });
    expect(headers['webhook-timestamp']).toMatch(/^\d+$/);
  });

  it('during rotation a receiver holding either secret verifies', () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const headers = signer.headers({ secrets: [current, previous], msgId, timestampSeconds: now(), body, eventType: 'x' });
    const signatures = headers['webhook-signature'].split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures[0]).toBe(signer.sign(current, msgId, Number(headers['webhook-timestamp']), body));
    expect(() => new Webhook(current).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow();
  });

  it('fails verification with a wrong secret or a modified body', () => {
    const secret = generateWebhookSecret();
    const headers = signer.headers({ secrets: [secret], msgId, timestampSeconds: now(), body, eventType: 'x' });
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body.replace('héllo', 'hello'), headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_other' })).toThrow();
  });

  it('legacy signature is hex HMAC-SHA256 of the body under the current secret', () => {
    const key = randomBytes(32);
    const secret = `whsec_${key.toString('base64')}`;
    const expected = `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
    expect(signer.legacyBodySignature(secret, body)).toBe(expected);
    const headers = signer.headers({ secrets: [secret, generateWebhookSecret()], msgId, timestampSeconds: now(), body, eventType: 'x' });
    expect(headers['x-webhook-signature']).toBe(expected);
  });

  it('rejects bad input without echoing the secret', () => {
    expect(() => signer.signatureHeader([], msgId, now(), body)).toThrow('at least one webhook secret');
    expect(() => signer.sign('not-a-secret!', msgId, now(), body)).toThrow('webhook secret must be "whsec_" followed by base64');
    try {
      signer.sign('whsec_%%secret%%', msgId, now(), body);
    } catch (e) {
      expect((e as Error).message).not.toContain('secret%%');
    }
    expect(() => signer.sign(generateWebhookSecret(), msgId, 1.5, body)).toThrow(RangeError);
  });
});

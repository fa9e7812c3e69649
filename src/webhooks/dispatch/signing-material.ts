import type { WebhookEndpointsService } from '../webhook-endpoints.service';
import type { ClaimedDelivery } from './delivery-batch.repository';

const MAX_ENTRIES = 10_000;

/**
 * What a dispatcher computes once and reuses: an endpoint's decrypted secrets (keyed by their encrypted envelopes, so
 * a rotation or re-encryption is a new entry) and an event's body (the same bytes for every endpoint and retry).
 * Secrets stay in this process's memory only, as they would for the duration of a request anyway.
 */
export class SigningMaterial {
  private readonly secretsByEnvelope = new Map<string, string[]>();
  private readonly bodies = new Map<string, string>();

  constructor(private readonly endpoints: WebhookEndpointsService) {}

  /** Current secret first, then the previous one while its overlap lasts. Throws when a secret cannot be decrypted. */
  secrets(d: ClaimedDelivery, now: Date): string[] {
    const overlaps = d.previousSecretEncrypted !== null && d.previousSecretExpiresAt !== null && d.previousSecretExpiresAt > now;
    const key = `${d.endpointId}|${d.secretEncrypted}|${overlaps ? d.previousSecretEncrypted : ''}`;
    let secrets = this.secretsByEnvelope.get(key);
    if (!secrets) {
      secrets = this.endpoints.signingSecrets(d.endpointId, d, overlaps);
      if (this.secretsByEnvelope.size >= MAX_ENTRIES) this.secretsByEnvelope.clear();
      this.secretsByEnvelope.set(key, secrets);
    }
    return secrets;
  }

  /** The envelope exactly as sent: `{"id","type","timestamp","team_id","data"}`. */
  body(d: ClaimedDelivery): string {
    let body = this.bodies.get(d.eventId);
    if (body === undefined) {
      body = JSON.stringify({ id: d.eventId, type: d.eventType, timestamp: d.eventCreatedAt.toISOString(), team_id: d.teamId, data: d.eventData });
      if (this.bodies.size >= MAX_ENTRIES) this.bodies.clear();
      this.bodies.set(d.eventId, body);
    }
    return body;
  }
}

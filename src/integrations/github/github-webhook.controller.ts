import { Body, HttpCode, Post, Req } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ValidationFailed } from '../../common/errors';
import { jsonFromFormField } from '../../common/input-rules';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { PlatformRequest, PlatformWebhookController, VerifiedConnection } from '../../connections/platform-request.guard';
import { InboundService } from '../../conversations/inbound.service';
import { GhPayload, githubOrderingKey, outsideSettings, StoredGitHubEvent } from './github-event';

/**
 * GitHub posts repository events here, as JSON or as a form (`payload=<json>`), up to 25 MB (src/common/body-parsers.ts).
 * Verified over the raw bytes either way, stored once per delivery and once per body (its signature has no timestamp: a
 * captured body re-sent with a new X-GitHub-Delivery is a replay), answered at once.
 */
@PlatformWebhookController('github')
export class GitHubWebhookController {
  constructor(private readonly inbound: InboundService) {}

  @Post(':connectionId')
  @HttpCode(200)
  async receive(@VerifiedConnection() connection: PlatformConnection, @Req() req: PlatformRequest, @Body() body: unknown): Promise<{ ok: true; ignored?: string }> {
    const event = req.header('x-github-event');
    const delivery = req.header('x-github-delivery');
    if (!event) throw new ValidationFailed('the X-GitHub-Event header is required', [{ field: 'X-GitHub-Event', messages: ['required'] }]);
    if (event === 'ping') return { ok: true };
    if (!delivery) throw new ValidationFailed('the X-GitHub-Delivery header is required', [{ field: 'X-GitHub-Delivery', messages: ['required'] }]);
    const payload = this.payloadOf(req, body);
    const ignored =
      connection.status !== 'active'
        ? `the connection is ${connection.status}`
        : outsideSettings(connection.settings, event, payload.repository?.full_name);
    const stored: StoredGitHubEvent = { event, delivery, payload };
    const bodyHash = createHash('sha256').update(req.rawBody ?? Buffer.alloc(0)).digest();
    await this.inbound.ingest(connection, { dedupeKey: delivery, orderingKey: githubOrderingKey(stored), payload: stored as unknown as Record<string, unknown>, bodyHash }, ignored);
    return ignored ? { ok: true, ignored } : { ok: true };
  }

  /** The hook's content type is the admin's choice: JSON, or a form whose `payload` field holds the same JSON. */
  private payloadOf(req: PlatformRequest, body: unknown): GhPayload {
    const payload = req.is('application/x-www-form-urlencoded') ? jsonFromFormField(body, 'payload') : body;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      const message = 'the body must be a JSON object (application/json, or application/x-www-form-urlencoded with payload=<json>)';
      throw new ValidationFailed(message, [{ field: 'body', messages: [message] }]);
    }
    return payload as GhPayload;
  }
}

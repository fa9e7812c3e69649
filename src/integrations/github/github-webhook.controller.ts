import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../common/decorators';
import { ValidationFailed } from '../../common/errors';
import { jsonFromFormField } from '../../common/input-rules';
import { InboundService } from '../../conversations/inbound.service';
import { GhPayload, githubOrderingKey, outsideSettings, StoredGitHubEvent } from './github-event';
import { GitHubRequest, GitHubSignatureGuard } from './github-signature.guard';

/**
 * GitHub posts repository events here, as JSON or as a form (`payload=<json>`), up to 25 MB (src/common/body-parsers.ts).
 * Verified over the raw bytes either way, stored once per delivery and once per body (its signature has no timestamp: a
 * captured body re-sent with a new X-GitHub-Delivery is a replay), answered at once.
 */
@ApiExcludeController()
@Public()
@Controller('webhooks/github')
export class GitHubWebhookController {
  constructor(private readonly inbound: InboundService) {}

  @Post(':connectionId')
  @HttpCode(200)
  @UseGuards(GitHubSignatureGuard)
  async receive(@Req() req: GitHubRequest, @Body() body: unknown): Promise<{ ok: true; ignored?: string }> {
    const event = req.header('x-github-event');
    const delivery = req.header('x-github-delivery');
    if (!event) throw new ValidationFailed('the X-GitHub-Event header is required', [{ field: 'X-GitHub-Event', messages: ['required'] }]);
    if (event === 'ping') return { ok: true };
    if (!delivery) throw new ValidationFailed('the X-GitHub-Delivery header is required', [{ field: 'X-GitHub-Delivery', messages: ['required'] }]);
    const payload = this.payloadOf(req, body);
    const connection = req.platformConnection!;
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
  private payloadOf(req: GitHubRequest, body: unknown): GhPayload {
    const payload = req.is('application/x-www-form-urlencoded') ? jsonFromFormField(body, 'payload') : body;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      const message = 'the body must be a JSON object (application/json, or application/x-www-form-urlencoded with payload=<json>)';
      throw new ValidationFailed(message, [{ field: 'body', messages: [message] }]);
    }
    return payload as GhPayload;
  }
}

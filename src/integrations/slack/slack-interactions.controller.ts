import { Body, HttpCode, Post } from '@nestjs/common';
import { ValidationFailed } from '../../common/errors';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { PlatformWebhookController, VerifiedConnection } from '../../connections/platform-request.guard';
import { InboundService } from '../../conversations/inbound.service';
import { SlackBlockActions, slackInteractionDedupeKey, slackInteractionOrderingKey } from './slack-interaction';

const invalid = (message: string): ValidationFailed => new ValidationFailed(message, [{ field: 'payload', messages: [message] }]);

/**
 * Slack interactivity (the app's Interactivity Request URL): a form body `payload=<json>`, signed like events. A
 * `block_actions` click is stored and answered 200 at once (Slack wants < 3 s); the worker decides it in its
 * conversation's order. Other interaction types are acknowledged and dropped.
 */
@PlatformWebhookController('slack')
export class SlackInteractionsController {
  constructor(private readonly inbound: InboundService) {}

  @Post(':connectionId/interactions')
  @HttpCode(200)
  async interaction(@VerifiedConnection() connection: PlatformConnection, @Body() body: { payload?: unknown }): Promise<Record<string, never>> {
    if (typeof body !== 'object' || body === null || typeof body.payload !== 'string') throw invalid('the body must be a form with a `payload` field (JSON)');
    let payload: unknown;
    try {
      payload = JSON.parse(body.payload);
    } catch {
      throw invalid('`payload` must be JSON');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw invalid('`payload` must be a JSON object');
    const p = payload as SlackBlockActions;
    if (p.type !== 'block_actions') return {};
    const ignored = connection.status === 'active' ? undefined : `the connection is ${connection.status}`;
    await this.inbound.ingest(
      connection,
      { dedupeKey: slackInteractionDedupeKey(p), orderingKey: slackInteractionOrderingKey(p), payload: p as unknown as Record<string, unknown> },
      ignored,
    );
    return {};
  }
}

import { Body, HttpCode, Post } from '@nestjs/common';
import { ValidationFailed } from '../../common/errors';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { PlatformWebhookController, VerifiedConnection } from '../../connections/platform-request.guard';
import { SlackEnvelope, SlackSlashCommand } from './slack-event';
import { SlackIngest, SlashAck } from './slack-ingest.service';

function assertObject(body: unknown): asserts body is Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const message = 'the body must be a JSON object (events) or a form (slash commands)';
    throw new ValidationFailed(message, [{ field: 'body', messages: [message] }]);
  }
}

/** Slack Events API and slash commands. Verified, stored, acknowledged well under Slack's 3 seconds. */
@PlatformWebhookController('slack')
export class SlackEventsController {
  constructor(private readonly ingest: SlackIngest) {}

  @Post(':connectionId')
  @HttpCode(200)
  async events(@VerifiedConnection() connection: PlatformConnection, @Body() body: SlackEnvelope & { ssl_check?: string }): Promise<unknown> {
    assertObject(body);
    if (body.ssl_check) return {};
    if (body.type === 'url_verification') return { challenge: body.challenge };
    await this.ingest.event(connection, body);
    return {};
  }

  @Post(':connectionId/commands')
  @HttpCode(200)
  async command(@VerifiedConnection() connection: PlatformConnection, @Body() body: Omit<SlackSlashCommand, 'type'>): Promise<SlashAck> {
    assertObject(body);
    return this.ingest.command(connection, body);
  }
}

import { Body, HttpCode, Post } from '@nestjs/common';
import { ValidationFailed } from '../../common/errors';
import { ConnectionsService } from '../../connections/connections.service';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { PlatformWebhookController, VerifiedConnection } from '../../connections/platform-request.guard';
import { InboundService } from '../../conversations/inbound.service';
import { SlackEnvelope, SlackSlashCommand, slackDedupeKey, slackOrderingKey } from './slack-event';

const APP_ID = /^[A-Z0-9]{1,32}$/;

function assertObject(body: unknown): asserts body is Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const message = 'the body must be a JSON object (events) or a form (slash commands)';
    throw new ValidationFailed(message, [{ field: 'body', messages: [message] }]);
  }
}

/** Slack Events API and slash commands. Verified, stored, acknowledged well under Slack's 3 seconds. */
@PlatformWebhookController('slack')
export class SlackEventsController {
  constructor(
    private readonly inbound: InboundService,
    private readonly connections: ConnectionsService,
  ) {}

  @Post(':connectionId')
  @HttpCode(200)
  async events(@VerifiedConnection() connection: PlatformConnection, @Body() body: SlackEnvelope & { ssl_check?: string }): Promise<unknown> {
    assertObject(body);
    if (body.ssl_check) return {};
    if (body.type === 'url_verification') return { challenge: body.challenge };
    if (body.type !== 'event_callback') return {};
    if (typeof body.api_app_id === 'string' && APP_ID.test(body.api_app_id) && connection.platformInfo.appId !== body.api_app_id) {
      // learned from the first event (auth.test does not tell it)
      await this.connections.updatePlatformInfo(connection.id, { appId: body.api_app_id });
      connection.platformInfo = { ...connection.platformInfo, appId: body.api_app_id };
    }
    const ignored = connection.status === 'active' ? undefined : `the connection is ${connection.status}`;
    await this.inbound.ingest(
      connection,
      { dedupeKey: slackDedupeKey(body), orderingKey: slackOrderingKey(body), payload: body as unknown as Record<string, unknown> },
      ignored,
    );
    return {};
  }

  @Post(':connectionId/commands')
  @HttpCode(200)
  async command(@VerifiedConnection() connection: PlatformConnection, @Body() body: Omit<SlackSlashCommand, 'type'>): Promise<{ response_type: 'ephemeral'; text: string }> {
    assertObject(body);
    if (typeof body.text !== 'string' || !body.text.trim()) return { response_type: 'ephemeral', text: `Usage: ${body.command ?? '/agent'} <your question>` };
    if (connection.status !== 'active') return { response_type: 'ephemeral', text: 'This agent is not available right now.' };
    const payload: SlackSlashCommand = { ...body, type: 'slash_command' };
    await this.inbound.ingest(connection, { dedupeKey: slackDedupeKey(payload), orderingKey: slackOrderingKey(payload), payload: payload as unknown as Record<string, unknown> });
    return { response_type: 'ephemeral', text: 'Working on it…' };
  }
}

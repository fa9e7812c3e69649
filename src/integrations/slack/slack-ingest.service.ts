import { SlackBlockActions, slackInteractionDedupeKey, slackInteractionOrderingKey } from './slack-interaction';
import { Injectable } from '@nestjs/common';
import { ConnectionsService } from '../../connections/connections.service';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { InboundService } from '../../conversations/inbound.service';
import { SlackEnvelope, SlackSlashCommand, slackDedupeKey, slackOrderingKey } from './slack-event';

const APP_ID = /^[A-Z0-9]{1,32}$/;

/** What Slack shows the user who ran the slash command, at once (the reply follows through response_url). */
export interface SlashAck {
  response_type: 'ephemeral';
  text: string;
}

/**
 * Stores what Slack sends — Events API envelopes, slash commands, interactive payloads — the same way whichever way
 * it came (the HTTP routes or a Socket Mode envelope): one ingest, one dedupe key, one ordering key.
 */
@Injectable()
export class SlackIngest {
  constructor(
    private readonly inbound: InboundService,
    private readonly connections: ConnectionsService,
  ) {}

  /** An `event_callback` envelope (other types are not stored). */
  async event(connection: PlatformConnection, body: SlackEnvelope): Promise<void> {
    if (body.type !== 'event_callback') return;
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
  }

  /** A slash command; returns the ephemeral answer Slack shows at once. */
  async command(connection: PlatformConnection, body: Omit<SlackSlashCommand, 'type'>): Promise<SlashAck> {
    if (typeof body.text !== 'string' || !body.text.trim()) return { response_type: 'ephemeral', text: `Usage: ${body.command ?? '/agent'} <your question>` };
    if (connection.status !== 'active') return { response_type: 'ephemeral', text: 'This agent is not available right now.' };
    const payload: SlackSlashCommand = { ...body, type: 'slash_command' };
    await this.inbound.ingest(connection, { dedupeKey: slackDedupeKey(payload), orderingKey: slackOrderingKey(payload), payload: payload as unknown as Record<string, unknown> });
    return { response_type: 'ephemeral', text: 'Working on it…' };
  }

  /**
   * An interactive payload (`block_actions`, …), stored for the pipeline like any event, with the same keys as the
   * interactions route: the connector's parser turns a click on our buttons into an action (see slack-interaction.ts).
   */
  async interactive(connection: PlatformConnection, body: Record<string, unknown>): Promise<void> {
    if (body.type !== 'block_actions') return; // acknowledged, nothing to do (as on the HTTP interactions route)
    const p = body as unknown as SlackBlockActions;
    const ignored = connection.status === 'active' ? undefined : `the connection is ${connection.status}`;
    await this.inbound.ingest(connection, { dedupeKey: slackInteractionDedupeKey(p), orderingKey: slackInteractionOrderingKey(p), payload: body }, ignored);
  }
}

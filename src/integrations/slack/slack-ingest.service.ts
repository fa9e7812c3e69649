import { createHash } from 'node:crypto';
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
   * An interactive payload (`block_actions`, …), stored for the pipeline like any event; the connector's parser decides
   * what it means (today it records it as ignored). Keyed by its trigger id; ordered with the message it belongs to.
   */
  async interactive(connection: PlatformConnection, body: Record<string, unknown>): Promise<void> {
    const trigger = typeof body.trigger_id === 'string' ? body.trigger_id : undefined;
    const dedupeKey = trigger ? `act:${trigger}` : `act-body:${createHash('sha256').update(JSON.stringify(body)).digest('hex')}`;
    const channel = (body.channel as { id?: unknown } | undefined)?.id;
    const message = body.message as { ts?: unknown; thread_ts?: unknown } | undefined;
    const ts = message?.thread_ts ?? message?.ts;
    const orderingKey = typeof channel === 'string' && typeof ts === 'string' ? `${channel}:${ts}` : 'no-channel';
    const ignored = connection.status === 'active' ? undefined : `the connection is ${connection.status}`;
    await this.inbound.ingest(connection, { dedupeKey, orderingKey, payload: body }, ignored);
  }
}

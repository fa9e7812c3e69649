import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ConnectionHealthView, ConnectionView } from '../connection.types';
import { CONNECTION_STATUSES, ConnectionStatus, Platform } from '../entities/platform-connection.entity';
import type { ConnectionTestResult } from '../connection-test.service';
import type { PlatformIdentity, SetupInstructions, SocketStatus } from '../platform-connector';
import { PLATFORM_PROPERTY } from './connection.dto';

/**
 * What to configure at the platform; which fields appear depends on the platform. The values of `mode` and each
 * platform's own fields are added to the API document from the platform definitions (docs.setup of
 * src/integrations/<name>/<name>.platform.ts).
 */
export class ConnectionSetupResponse implements SetupInstructions {
  [key: string]: unknown;

  @ApiPropertyOptional({ description: 'Where the platform must send events (Slack Request URL, GitHub Payload URL; Telegram: where the webhook was registered). Absent in Telegram polling mode.' })
  webhookUrl?: string;

  @ApiPropertyOptional({ description: 'What Switchboard did or what you still have to do, in words' })
  note?: string;

  @ApiPropertyOptional({ type: String, description: 'How events reach us (the values: the platforms that have modes)' })
  mode?: string;
}

export class ConnectionResponse implements ConnectionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty({ format: 'uuid' }) agentId: string;
  @ApiProperty(PLATFORM_PROPERTY) platform: Platform;
  @ApiProperty({ enum: CONNECTION_STATUSES, enumName: 'ConnectionStatus' }) status: ConnectionStatus;
  @ApiProperty({ type: String, nullable: true, example: '@acme_support_bot' }) displayName: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The bot's id at the platform" }) externalBotId: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Where this connection receives platform events' }) webhookUrl: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Masked hints of the stored credentials (never the values)',
    example: { botToken: '…Xy9Q' },
  })
  credentials: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Non-secret per-platform options', example: { mode: 'webhook' } })
  settings: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Facts learned from the platform (bot username, workspace…)' })
  platformInfo: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true }) errorMessage: string | null;
  @ApiProperty({ type: 'integer', description: 'Failed health checks in a row' }) consecutiveFailures: number;
  @ApiProperty({ type: Date, nullable: true }) lastEventAt: Date | null;
  @ApiProperty({ type: Date, nullable: true }) lastCheckedAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  @ApiPropertyOptional({
    type: ConnectionSetupResponse,
    description: 'Only in the create response and when credentials or settings change: what happened at the platform and what is left to do',
  })
  setup?: ConnectionSetupResponse;
}

export class StatusChangeResponse {
  @ApiProperty({ enum: CONNECTION_STATUSES, enumName: 'ConnectionStatus' }) from: ConnectionStatus;
  @ApiProperty({ enum: CONNECTION_STATUSES, enumName: 'ConnectionStatus' }) to: ConnectionStatus;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty() at: Date;
}

export class SocketStatusResponse implements SocketStatus {
  @ApiProperty({ description: 'A worker holds the socket and it is connected right now' }) connected: boolean;
  @ApiProperty({ type: Date, nullable: true, description: 'When `connected` last changed (null: no worker has held the socket yet)' }) since: Date | null;
  @ApiProperty({ type: String, nullable: true, example: 'could not connect: rate limited (retry after 30 s)', description: 'Why the last attempt to connect failed, until a socket connects again' })
  lastError: string | null;
}

export class ConnectionHealthResponse implements ConnectionHealthView {
  @ApiProperty({ format: 'uuid' }) connectionId: string;
  @ApiProperty({ enum: CONNECTION_STATUSES, enumName: 'ConnectionStatus' }) status: ConnectionStatus;
  @ApiProperty({ type: Date, nullable: true }) lastCheckedAt: Date | null;
  @ApiProperty({ type: Date, nullable: true }) lastEventAt: Date | null;
  @ApiProperty({ type: 'integer' }) consecutiveFailures: number;
  @ApiProperty({ type: String, nullable: true }) errorMessage: string | null;
  @ApiProperty({ type: [StatusChangeResponse], description: 'The last 10, newest first' }) recentStatusChanges: StatusChangeResponse[];
  @ApiProperty({ type: 'integer', description: 'Inbound events received in the last 24 h that were handled (`done`)' }) successCount: number;
  @ApiProperty({ type: 'integer', description: 'Inbound events received in the last 24 h that `failed` (ignored ones count in neither)' }) errorCount: number;
  @ApiProperty({ type: Number, nullable: true, example: 0.9875, description: 'successCount / (successCount + errorCount), 4 decimals; null when neither happened' })
  successRate: number | null;
  @ApiPropertyOptional({ type: SocketStatusResponse, description: 'Slack connections in Socket Mode only: the WebSocket a worker holds to Slack' })
  socket?: SocketStatusResponse;
}

export class PlatformIdentityResponse implements PlatformIdentity {
  @ApiProperty({ description: "The bot's id at the platform" }) externalBotId: string;
  @ApiProperty({ example: '@acme_support_bot' }) displayName: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Facts learned from the platform (bot username, workspace…)' }) info: Record<string, unknown>;
}

export class ConnectionTestResponse implements ConnectionTestResult {
  @ApiProperty({ description: 'Whether the platform accepted the stored credentials just now' }) ok: boolean;
  @ApiPropertyOptional({ type: PlatformIdentityResponse, description: 'Who the credentials belong to (when ok)' }) identity?: PlatformIdentityResponse;
  @ApiPropertyOptional({ example: 'telegram rejected the credentials: Unauthorized', description: 'Why not (when not ok); never a secret' }) error?: string;
  @ApiProperty({ enum: CONNECTION_STATUSES, enumName: 'ConnectionStatus', description: 'The status after the test: `error` becomes `active` when it passes' })
  status: ConnectionStatus;
}

import type { ConnectionStatus, Platform, PlatformConnection } from './entities/platform-connection.entity';
import type { SetupInstructions, SocketStatus } from './platform-connector';

export interface ConnectionView {
  id: string;
  teamId: string;
  agentId: string;
  platform: Platform;
  status: ConnectionStatus;
  displayName: string | null;
  externalBotId: string | null;
  webhookUrl: string | null;
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
  platformInfo: Record<string, unknown>;
  errorMessage: string | null;
  consecutiveFailures: number;
  lastEventAt: Date | null;
  lastCheckedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Only in create, credential-change and settings-change responses: what happened at the platform, what is left to do (may include a secret, once). */
  setup?: SetupInstructions;
}

/** Outcomes of the connection's inbound events received in the last 24 hours (the conversations module counts them). */
export interface ConnectionEventStats {
  successCount: number;
  errorCount: number;
  /** successCount / (successCount + errorCount), 4 decimals; null when no event ended either way. */
  successRate: number | null;
}

/** What this module knows of a connection's health; the health route (conversations/) adds the event counts. */
export interface ConnectionHealthState {
  connectionId: string;
  status: ConnectionStatus;
  lastCheckedAt: Date | null;
  lastEventAt: Date | null;
  consecutiveFailures: number;
  errorMessage: string | null;
  recentStatusChanges: { from: ConnectionStatus; to: ConnectionStatus; reason: string | null; at: Date }[];
  /** Connections with a live link to the platform (Slack in Socket Mode) only. */
  socket?: SocketStatus;
}

export type ConnectionHealthView = ConnectionEventStats & ConnectionHealthState;

export interface PlannedConnectionAddress {
  agentName: string;
  connectionId: string;
  webhookUrl: string;
  /** Whether the connection exists already. */
  connected: boolean;
}

/** A connection as the admin API shows it: credentials only as hints, never decrypted. */
export function toConnectionView(c: PlatformConnection): ConnectionView {
  return {
    id: c.id,
    teamId: c.teamId,
    agentId: c.agentId,
    platform: c.platform,
    status: c.status,
    displayName: c.displayName,
    externalBotId: c.externalBotId,
    webhookUrl: c.webhookUrl,
    credentials: c.credentialHints,
    settings: c.settings,
    platformInfo: c.platformInfo,
    errorMessage: c.errorMessage,
    consecutiveFailures: c.consecutiveFailures,
    lastEventAt: c.lastEventAt,
    lastCheckedAt: c.lastCheckedAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

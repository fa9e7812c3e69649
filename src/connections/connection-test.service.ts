import { Injectable } from '@nestjs/common';
import { NotFound } from '../common/errors';
import { ConnectorRegistry } from './connector-registry';
import { CredentialsUnavailable } from './connection.errors';
import { ConnectionsService } from './connections.service';
import { ConnectionStatus } from './entities/platform-connection.entity';
import { InvalidCredentialsError, PlatformIdentity, PlatformRejectedError, PlatformUnavailableError } from './platform-connector';

/** What POST …/connections/:connectionId/test found (never a secret). */
export interface ConnectionTestResult {
  ok: boolean;
  /** Who the credentials belong to at the platform, when they work. */
  identity?: PlatformIdentity;
  /** Why they do not, when they do not. */
  error?: string;
  /** The connection's status after the test (`error` becomes `active` when the test passes). */
  status: ConnectionStatus;
}

/**
 * Checks a connection's stored credentials with its platform now. A pass moves a connection in `error` back to
 * `active` (through ConnectionsService.setStatus, so the status change is recorded and published); a failure changes
 * nothing (the scheduled health check decides when a connection goes to `error`).
 */
@Injectable()
export class ConnectionTestService {
  constructor(
    private readonly connections: ConnectionsService,
    private readonly registry: ConnectorRegistry,
  ) {}

  async test(teamId: string, agentId: string, id: string): Promise<ConnectionTestResult> {
    const conn = await this.connections.findById(id);
    if (!conn || conn.teamId !== teamId || conn.agentId !== agentId) throw new NotFound('connection');
    const connector = this.registry.get(conn.platform);
    let identity: PlatformIdentity;
    try {
      identity = await connector.validateCredentials(await this.connections.credentialsOf(conn));
    } catch (e) {
      if (e instanceof CredentialsUnavailable) return { ok: false, error: e.message, status: conn.status };
      if (e instanceof InvalidCredentialsError) return { ok: false, error: `${conn.platform} rejected the credentials: ${e.message}`, status: conn.status };
      if (e instanceof PlatformRejectedError) return { ok: false, error: `${conn.platform} refused the request: ${e.message}`, status: conn.status };
      if (e instanceof PlatformUnavailableError) return { ok: false, error: `${conn.platform} could not be reached: ${e.message}`, status: conn.status };
      throw e;
    }
    if (conn.status === 'error') await this.connections.setStatus(conn, 'active', 'the credentials test passed');
    return { ok: true, identity, status: conn.status };
  }
}

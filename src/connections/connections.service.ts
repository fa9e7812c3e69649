import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import { AppConfig } from '../config/app-config';
import { NotFound } from '../common/errors';
import { Page } from '../common/pagination';
import { CredentialCipher, DecryptionError, UnknownKeyError } from '../crypto/credential-cipher';
import { KeyRotationService } from '../crypto/key-rotation.service';
import { connectionIdFor } from './connection-id';
import { ALL_CONNECTIONS, ConnectionChanges } from './connection-changes';
import { DecryptedCredentials } from './decrypted-credentials';
import { ConnectorRegistry } from './connector-registry';
import { ConnectionsRepository } from './connections.repository';
import { ConnectionStatusService } from './connection-status.service';
import { ConnectionListQuery, CreateConnectionDto, UpdateConnectionDto } from './dto/connection.dto';
import { ConnectionStatus, Platform, PlatformConnection } from './entities/platform-connection.entity';
import { Credentials } from './platform-connector';
import { auditBefore } from '../audit/audit-context';
import { CredentialsUnavailable } from './connection.errors';
import { callPlatform, checkCredentials, checkSettings, credentialHintsFor, duplicateConnection } from './connection-inputs';
import { ConnectionHealthState, ConnectionView, PlannedConnectionAddress, toConnectionView } from './connection.types';
import { Clock } from '../common/clock';
import { statementBatcher } from '../database/statement-batcher';

const AAD_FIELD = 'credentials';
const TABLE = 'platform_connection';
const isUniqueViolation = (e: unknown): boolean => (e as { code?: string }).code === '23505';

@Injectable()
export class ConnectionsService implements OnModuleInit {
  private readonly logger = new Logger('Connections');
  private readonly decrypted = new DecryptedCredentials();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: CredentialCipher,
    private readonly registry: ConnectorRegistry,
    private readonly rotation: KeyRotationService,
    private readonly config: AppConfig,
    private readonly changeNotices: ConnectionChanges,
    private readonly agents: AgentsService,
    private readonly repo: ConnectionsRepository,
    private readonly statuses: ConnectionStatusService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.rotation.register({
      table: TABLE,
      column: 'credentials_encrypted',
      field: AAD_FIELD,
      onUndecryptable: async (id, reason) => {
        const conn = await this.repo.findById(id);
        if (conn) await this.setStatus(conn, 'error', `credentials cannot be decrypted: ${reason}`);
      },
      // the secrets are the same, but cached rows hold the old ciphertext: one notice per batch drops them all
      onRotated: async () => this.changeNotices.announce(ALL_CONNECTIONS),
    });
  }

  // ---- admin API -------------------------------------------------------------------------------------------------

  async create(teamId: string, agentId: string, dto: CreateConnectionDto): Promise<ConnectionView> {
    const connector = this.registry.get(dto.platform);
    const credentials = checkCredentials(connector, dto.credentials);
    const settings = checkSettings(connector, dto.settings ?? {});
    await this.agents.get(teamId, agentId); // 404 for another team's agent
    if (await this.repo.existsOfAgent(agentId, dto.platform)) throw duplicateConnection(dto.platform);

    const identity = await callPlatform(connector, () => connector.validateCredentials(credentials));
    const id = connectionIdFor(agentId, dto.platform);
    const row = this.repo.build({
      id,
      teamId,
      agentId,
      platform: dto.platform,
      credentialsEncrypted: this.encrypt(id, credentials),
      credentialHints: credentialHintsFor(connector, credentials),
      webhookUrl: this.webhookUrl(dto.platform, id),
      externalBotId: identity.externalBotId,
      displayName: identity.displayName,
      platformInfo: identity.info,
      settings,
      status: 'active',
      consecutiveFailures: 0,
    });
    try {
      // The row exists only if the platform accepted the registration too: nothing half-made is left behind.
      const saved = await this.dataSource.transaction(async (em) => {
        const s = await this.repo.save(row, em);
        await callPlatform(connector, () => connector.connect(s, credentials));
        return s;
      });
      return { ...this.toView(saved), setup: connector.setupInstructions(saved, credentials, true) };
    } catch (e) {
      if (isUniqueViolation(e)) throw duplicateConnection(dto.platform);
      throw e;
    }
  }

  /**
   * Where the agent's connection to `platform` receives events: the existing connection's URL, or the one a connection
   * made now will have (ids follow from agent and platform). For setup pages shown before the connection exists.
   */
  async plannedAddress(teamId: string, agentId: string, platform: Platform): Promise<PlannedConnectionAddress> {
    const agent = await this.agents.get(teamId, agentId);
    const existing = await this.repo.findOfAgent(agentId, platform);
    const connectionId = existing?.id ?? connectionIdFor(agentId, platform);
    return {
      agentName: agent.name,
      connectionId,
      webhookUrl: existing?.webhookUrl ?? this.webhookUrl(platform, connectionId),
      connected: Boolean(existing),
    };
  }

  async list(teamId: string, query: ConnectionListQuery, agentId?: string): Promise<Page<ConnectionView>> {
    if (query.platform) this.registry.get(query.platform); // 400 naming the supported platforms
    if (agentId) await this.agents.get(teamId, agentId);
    const page = await this.repo.list(teamId, { agentId, platform: query.platform, status: query.status }, query);
    return { data: page.data.map((c) => this.toView(c)), nextCursor: page.nextCursor };
  }

  async get(teamId: string, agentId: string, id: string): Promise<ConnectionView> {
    return this.toView(await this.find(teamId, agentId, id));
  }

  async update(teamId: string, agentId: string, id: string, dto: UpdateConnectionDto): Promise<ConnectionView> {
    const conn = await this.find(teamId, agentId, id);
    auditBefore(this.toView(conn));
    const connector = this.registry.get(conn.platform);
    const settings = dto.settings !== undefined ? checkSettings(connector, dto.settings) : undefined;
    let credentials: Credentials | undefined;
    if (dto.credentials !== undefined) {
      // Generated secrets (Telegram secret_token, GitHub webhook secret) are kept unless replaced.
      const previous = this.tryDecrypt(conn);
      credentials = checkCredentials(connector, dto.credentials, previous);
    }
    const resuming = dto.status === 'active' && conn.status !== 'active';
    const next: ConnectionStatus =
      dto.status === 'paused' ? 'paused' : resuming || (credentials && conn.status === 'error') ? 'active' : conn.status;
    let creds: Credentials | undefined;

    if (credentials || resuming || settings) {
      creds = credentials ?? (await this.credentialsOf(conn));
      if (credentials || resuming) {
        const identity = await callPlatform(connector, () => connector.validateCredentials(creds as Credentials));
        Object.assign(conn, { externalBotId: identity.externalBotId, displayName: identity.displayName, platformInfo: identity.info });
      }
      if (settings) conn.settings = settings;
      if (credentials) {
        conn.credentialsEncrypted = this.encrypt(conn.id, credentials);
        conn.credentialHints = credentialHintsFor(connector, credentials);
      }
      // Re-register with the platform (idempotent) so new credentials or settings take effect there too.
      if (next === 'active') await callPlatform(connector, () => connector.connect(conn, creds as Credentials));
    }

    await this.dataSource.transaction(async (em) => {
      const previous = conn.status;
      if (next !== previous) Object.assign(conn, { status: next, consecutiveFailures: 0, errorMessage: null });
      await this.repo.save(conn, em);
      if (next !== previous) await this.statuses.record(em, conn, previous, next, next === 'paused' ? 'paused by an admin' : 'resumed by an admin');
    });
    this.changeNotices.announce(conn.id);
    // New credentials or settings: say what now holds at the platform (the status is final here).
    const setup = creds && (credentials || settings) ? connector.setupInstructions(conn, creds, false) : undefined;
    return { ...this.toView(conn), ...(setup ? { setup } : {}) };
  }

  /** Disconnects at the platform (best effort: a revoked token must not make the row undeletable), then deletes. */
  async remove(teamId: string, agentId: string, id: string): Promise<void> {
    const conn = await this.find(teamId, agentId, id);
    auditBefore(this.toView(conn));
    const connector = this.registry.get(conn.platform);
    const creds = this.tryDecrypt(conn);
    if (creds) {
      try {
        await connector.disconnect(conn, creds);
      } catch (e) {
        this.logger.warn(`disconnect of ${conn.platform} connection ${conn.id} at the platform failed: ${(e as Error).message}`);
      }
    }
    await this.repo.delete(conn.id);
    this.changeNotices.announce(conn.id);
  }

  async health(teamId: string, agentId: string, id: string): Promise<ConnectionHealthState> {
    const conn = await this.find(teamId, agentId, id);
    const connector = this.registry.get(conn.platform);
    const [recent, socket] = await Promise.all([
      this.repo.recentStatusChanges(id, 10),
      connector.socketStatus ? connector.socketStatus(conn) : undefined,
    ]);
    return {
      connectionId: conn.id,
      status: conn.status,
      lastCheckedAt: conn.lastCheckedAt,
      lastEventAt: conn.lastEventAt,
      consecutiveFailures: conn.consecutiveFailures,
      errorMessage: conn.errorMessage,
      recentStatusChanges: recent.map((r) => ({ from: r.fromStatus, to: r.toStatus, reason: r.reason, at: r.createdAt })),
      ...(socket ? { socket } : {}),
    };
  }

  // ---- for the pipeline, integrations and scheduled jobs ------------------------------------------------------

  findById(id: string): Promise<PlatformConnection | null> {
    return this.repo.findById(id);
  }

  /**
   * findById for the inbound pipeline: the drains of many conversations starting at the same moment load their
   * connections in one statement (each caller gets its own copy).
   */
  findByIdBatched(id: string): Promise<PlatformConnection | null> {
    return this.byIdBatch(id);
  }

  private readonly byIdBatch = statementBatcher<string, PlatformConnection | null>(async (ids) => {
    const rows = await this.repo.findByIds([...new Set(ids)]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const row = byId.get(id);
      return row ? Object.assign(new PlatformConnection(), row, { settings: { ...row.settings } }) : null;
    });
  });

  /** Decrypts a connection's credentials (kept: see DecryptedCredentials). A row that cannot be decrypted goes to `error` with the reason. */
  async credentialsOf(conn: PlatformConnection): Promise<Credentials> {
    const kept = this.decrypted.get(conn.id, conn.credentialsEncrypted);
    if (kept) return kept;
    try {
      const credentials = this.cipher.decryptJson<Credentials>(conn.credentialsEncrypted, { table: TABLE, rowId: conn.id, field: AAD_FIELD });
      this.decrypted.set(conn.id, conn.credentialsEncrypted, credentials);
      return credentials;
    } catch (e) {
      if (!(e instanceof UnknownKeyError || e instanceof DecryptionError)) throw e;
      const reason = e.message;
      if (conn.status !== 'error' || conn.errorMessage !== `credentials cannot be decrypted: ${reason}`) {
        await this.setStatus(conn, 'error', `credentials cannot be decrypted: ${reason}`);
      }
      throw new CredentialsUnavailable(reason);
    }
  }

  /** Merges facts learned from the platform later (e.g. Slack's api_app_id from the first event). */
  async updatePlatformInfo(id: string, patch: Record<string, unknown>): Promise<void> {
    await this.repo.mergePlatformInfo(id, patch);
  }

  /** Ids of the active connections of a platform in a delivery mode (e.g. Telegram `polling`, Slack `socket`), in id order. */
  activeIdsInMode(platform: Platform, mode: string): Promise<string[]> {
    return this.repo.activeIdsInMode(platform, mode);
  }

  async markEvent(id: string, at = this.clock.now()): Promise<void> {
    await this.repo.update(id, { lastEventAt: at });
  }

  /**
   * Moves a connection to a status, records the change and publishes it, in one transaction; then every replica.
   * Back to `active`, the error message and the failure count are cleared.
   */
  setStatus(conn: PlatformConnection, to: ConnectionStatus, reason: string | null): Promise<void> {
    return this.statuses.set(conn, to, reason);
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private async find(teamId: string, agentId: string, id: string): Promise<PlatformConnection> {
    const conn = await this.repo.find(teamId, agentId, id);
    if (!conn) throw new NotFound('connection');
    return conn;
  }

  private tryDecrypt(conn: PlatformConnection): Credentials | undefined {
    try {
      return this.cipher.decryptJson<Credentials>(conn.credentialsEncrypted, { table: TABLE, rowId: conn.id, field: AAD_FIELD });
    } catch {
      return undefined;
    }
  }

  private encrypt(id: string, credentials: Credentials): string {
    return this.cipher.encryptJson(credentials, { table: TABLE, rowId: id, field: AAD_FIELD });
  }

  private webhookUrl(platform: Platform, id: string): string {
    return `${this.config.publicBaseUrl}/webhooks/${platform}/${id}`;
  }

  toView(c: PlatformConnection): ConnectionView {
    return toConnectionView(c);
  }
}

import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import { ConnectionsService } from '../../connections/connections.service';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { SlackIngest } from './slack-ingest.service';
import { SlackSocketRepository } from './slack-socket.repository';
import { SlackSocketSession } from './slack-socket.session';
import { SLACK_CONFIG } from './slack.config';

interface Held {
  session: SlackSocketSession;
  connection: PlatformConnection;
}

/**
 * Worker: the Socket Mode links of Slack connections in `settings.mode = "socket"`. Every SLACK_SOCKET_SCAN_MS one
 * statement renews the leases (slack_socket rows) of the sockets this process holds, the held connections are looked
 * at again (paused, deleted, switched back to HTTP or given another app token → the socket is closed), and any Socket
 * Mode connection whose lease is free or expired is taken: one socket per connection across all replicas. A worker
 * that dies stops renewing; another takes its sockets once the lease (six scans) runs out.
 */
@Injectable()
export class SlackSocketManager implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SlackSocket');
  readonly holder = `${hostname().slice(0, 60)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly held = new Map<string, Held>();
  private timer?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly sockets: SlackSocketRepository,
    private readonly connections: ConnectionsService,
    private readonly ingest: SlackIngest,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.platform(SLACK_CONFIG).socket.scanIntervalMs > 0) this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.scanning;
    await Promise.all([...this.held.keys()].map((id) => this.end(id, true)));
  }

  /** Connection ids whose socket this process holds. */
  holding(): string[] {
    return [...this.held.keys()];
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      // a scan that fails (database unreachable, or closing on shutdown) is retried on the next one
      this.scanning = this.scan()
        .catch((e: unknown) => this.logger.warn(`Socket Mode scan failed: ${(e as Error).message}`))
        .finally(() => {
          this.scanning = undefined;
          if (!this.stopping) this.schedule(this.config.platform(SLACK_CONFIG).socket.scanIntervalMs);
        });
    }, ms);
  }

  async scan(): Promise<void> {
    const ttl = this.config.platform(SLACK_CONFIG).socket.leaseSeconds;
    for (const id of await this.sockets.renew(this.holding(), this.holder, ttl)) {
      this.logger.warn(`the Socket Mode lease of ${id} was lost (expired and taken over, or the connection was deleted); closing its socket here`);
      await this.end(id, false);
    }
    for (const [id, entry] of [...this.held]) {
      const fresh = await this.usable(id);
      if (!fresh || !entry.session.usesToken(fresh.appToken)) await this.end(id, true);
      else entry.connection = fresh.connection;
    }
    for (const id of await this.connections.activeIdsInMode('slack', 'socket')) {
      if (this.stopping) return;
      if (this.held.has(id) || !(await this.sockets.tryAcquire(id, this.holder, ttl))) continue;
      const fresh = await this.usable(id);
      if (!fresh) {
        await this.sockets.setConnected(id, this.holder, false, 'no app-level token (credentials.appToken) to open a socket with');
        await this.sockets.release(id, this.holder);
        continue;
      }
      this.start(fresh.connection, fresh.appToken);
    }
  }

  private start(connection: PlatformConnection, appToken: string): void {
    const id = connection.id;
    const entry: Held = { connection, session: undefined as unknown as SlackSocketSession }; // set on the next line
    entry.session = new SlackSocketSession(id, appToken, {
      slackApiUrl: this.config.platform(SLACK_CONFIG).apiUrl,
      timeoutMs: this.config.platforms.timeoutMs,
      ingest: this.ingest,
      nowMs: () => this.clock.nowMs(),
      connection: () => entry.connection,
      connected: (connected, error) => this.sockets.setConnected(id, this.holder, connected, error),
      refused: async (reason) => {
        await this.sockets.setConnected(id, this.holder, false, reason);
        await this.connections.setStatus(entry.connection, 'error', reason);
      },
    });
    this.held.set(id, entry);
  }

  /** The connection and its app token when it still wants a socket; undefined otherwise. */
  private async usable(id: string): Promise<{ connection: PlatformConnection; appToken: string } | undefined> {
    const connection = await this.connections.findById(id);
    if (!connection || connection.status !== 'active' || connection.settings.mode !== 'socket') return undefined;
    let appToken: string | undefined;
    try {
      appToken = (await this.connections.credentialsOf(connection)).appToken;
    } catch {
      return undefined; // undecryptable: the connection went to `error` with the reason
    }
    return appToken ? { connection, appToken } : undefined;
  }

  private async end(id: string, release: boolean): Promise<void> {
    const entry = this.held.get(id);
    if (!entry) return;
    this.held.delete(id);
    await entry.session.stop();
    if (release) await this.sockets.release(id, this.holder).catch((e: unknown) => this.logger.warn(`could not release the Socket Mode lease of ${id}: ${(e as Error).message}`));
  }
}

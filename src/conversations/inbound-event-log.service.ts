import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Conflict, NotFound, ValidationFailed } from '../common/errors';
import { Page } from '../common/pagination';
import { ConnectionEventStats, ConnectionHealthView } from '../connections/connection.types';
import { ConnectionsService } from '../connections/connections.service';
import { InboundEvent, InboundStatus } from './entities/inbound-event.entity';
import { EventLogRow, InboundEventLogRepository, REPLAYABLE } from './inbound-event-log.repository';
import { InboundService } from './inbound.service';
import { Clock } from '../common/clock';

/** One stored platform event as the event log shows it (no payload). */
export interface InboundEventView {
  id: string;
  connectionId: string;
  platform: string;
  /** The platform's delivery id (Telegram update_id, Slack event_id, GitHub X-GitHub-Delivery). */
  dedupeKey: string;
  /** The conversation at the platform the event belongs to (chat, thread…). */
  orderingKey: string;
  status: InboundStatus;
  error: string | null;
  attempts: number;
  receivedAt: Date;
  processedAt: Date | null;
  notBefore: Date | null;
  conversationId: string | null;
  replyMessageId: string | null;
}

export interface InboundEventDetailView extends InboundEventView {
  payload: Record<string, unknown>;
}

export interface EventLogQuery {
  status?: InboundStatus;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * The inbound event log of a connection (list, one event with its payload) and replay: a failed or ignored event goes
 * back to `received` and through the pipeline again, resending its stored reply when it has one. Also gives the
 * connection's health its 24-hour outcome counts.
 */
@Injectable()
export class InboundEventLogService {
  constructor(
    private readonly events: InboundEventLogRepository,
    private readonly connections: ConnectionsService,
    private readonly inbound: InboundService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** The connection's health (404 for another team's or agent's connection) with its 24-hour event counts. */
  async health(teamId: string, agentId: string, connectionId: string): Promise<ConnectionHealthView> {
    const [state, stats] = await Promise.all([this.connections.health(teamId, agentId, connectionId), this.stats(connectionId)]);
    return { ...stats, ...state };
  }

  async list(teamId: string, agentId: string, connectionId: string, query: EventLogQuery): Promise<Page<InboundEventView>> {
    await this.connections.get(teamId, agentId, connectionId); // another team's (or agent's) connection: 404
    const limit = query.limit ?? 50;
    const rows = await this.events.listForConnection(connectionId, {
      status: query.status,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      after: query.cursor ? decodeEventCursor(query.cursor) : undefined,
      limit: limit + 1,
    });
    const data = rows.slice(0, limit).map(toView);
    const last = rows.length > limit ? data[data.length - 1] : undefined;
    return { data, nextCursor: last ? encodeEventCursor(last.receivedAt, rows[limit - 1].seq) : null };
  }

  async get(teamId: string, agentId: string, connectionId: string, eventId: string): Promise<InboundEventDetailView> {
    await this.connections.get(teamId, agentId, connectionId);
    const ev = await this.events.findInConnection(connectionId, eventId);
    if (!ev) throw new NotFound('event');
    return { ...toView(ev), payload: ev.payload };
  }

  /**
   * Re-runs a failed or ignored event. It keeps its conversation and stored reply, so a reply that was already
   * generated is resent, never regenerated. The conversation drains oldest first: the replayed event is handled before
   * newer pending events of the same chat.
   */
  async replay(teamId: string, agentId: string, connectionId: string, eventId: string): Promise<InboundEventView> {
    const conn = await this.connections.get(teamId, agentId, connectionId);
    const current = await this.events.findInConnection(connectionId, eventId);
    if (!current) throw new NotFound('event');
    if (!this.config.integrations.enabled) throw new Conflict('platform integrations are disabled (ENABLE_INTEGRATIONS=false): nothing would process the event');
    if (conn.status !== 'active') throw new Conflict(`the connection is ${conn.status}: resume it (or fix its credentials) before replaying`);
    const ev = REPLAYABLE.includes(current.status) ? await this.events.replay(connectionId, eventId) : null;
    if (!ev) {
      const now = (await this.events.findInConnection(connectionId, eventId))?.status ?? current.status;
      throw new Conflict(`only failed or ignored events can be replayed; this event is ${now}`);
    }
    await this.inbound.enqueue({ eventId: ev.id, connectionId, orderingKey: ev.orderingKey }, { fresh: true });
    return toView(ev);
  }

  /** Events received in the last 24 hours that ended done (success) or failed (error). */
  async stats(connectionId: string): Promise<ConnectionEventStats> {
    const { done, failed } = await this.events.outcomesSince(connectionId, new Date(this.clock.nowMs() - DAY_MS));
    return { successCount: done, errorCount: failed, successRate: done + failed ? Math.round((done / (done + failed)) * 10000) / 10000 : null };
  }
}

function toView(e: EventLogRow | InboundEvent): InboundEventView {
  return {
    id: e.id,
    connectionId: e.connectionId,
    platform: e.platform,
    dedupeKey: e.dedupeKey,
    orderingKey: e.orderingKey,
    status: e.status,
    error: e.error,
    attempts: e.attempts,
    receivedAt: e.receivedAt,
    processedAt: e.processedAt,
    notBefore: e.notBefore,
    conversationId: e.conversationId,
    replyMessageId: e.replyMessageId,
  };
}

function encodeEventCursor(receivedAt: Date, seq: string): string {
  return Buffer.from(JSON.stringify({ t: receivedAt.toISOString(), s: seq })).toString('base64url');
}

function decodeEventCursor(cursor: string): { receivedAt: string; seq: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t?: unknown; s?: unknown };
    // it comes back from the client and reaches SQL: a date and a decimal integer only
    if (typeof v.t !== 'string' || Number.isNaN(Date.parse(v.t)) || typeof v.s !== 'string' || !/^\d{1,18}$/.test(v.s)) throw new Error('shape');
    return { receivedAt: v.t, seq: v.s };
  } catch {
    throw new ValidationFailed('cursor is not valid', [{ field: 'cursor', messages: ['cursor is not valid'] }]);
  }
}

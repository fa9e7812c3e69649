import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DecryptionError, UnknownKeyError } from '../crypto/credential-cipher';
import { NotificationsService } from '../notifications/notifications.service';
import { OutboundHttpClient, OutboundResult } from '../http/outbound-http-client';
import { parseRetryAfter } from '../http/retry-after';
import { nextAttemptAt } from './retry-schedule';
import { WebhookSigner } from '../http/signing/webhook-signer';
import type { AttemptView } from './webhook-deliveries.service';
import { WebhookEndpointsService } from './webhook-endpoints.service';

/** How long past the request timeout a claimed delivery stays leased to its worker (then another may take it). */
const LEASE_MARGIN_MS = 5000;
/** BullMQ timers and the clock may disagree by a few ms; a job this early still counts as due. */
const EARLY_TOLERANCE_MS = 25;

interface ClaimedRow {
  id: string;
  team_id: string;
  event_id: string;
  endpoint_id: string;
  attempt_count: number;
  round_attempts: number;
  round_started_at: Date | null;
  type: string;
  data: Record<string, unknown>;
  event_created_at: Date;
  url: string;
  endpoint_status: 'active' | 'failing' | 'disabled';
  secret_encrypted: string;
  previous_secret_encrypted: string | null;
  previous_secret_expires_at: Date | null;
}

// Claims every due, unleased delivery of a batch (one statement for up to BATCH deliveries).
const CLAIM_SQL = `
WITH claimed AS (
  UPDATE webhook_delivery SET lease_until = $2
  WHERE id = ANY ($1::uuid[]) AND status = 'pending' AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $4)
  RETURNING id, team_id, event_id, endpoint_id, attempt_count, round_attempts, round_started_at
)
SELECT c.*, e.type, e.data, e.created_at AS event_created_at, ep.url, ep.status AS endpoint_status,
       ep.secret_encrypted, ep.previous_secret_encrypted, ep.previous_secret_expires_at
FROM claimed c
JOIN webhook_event e ON e.id = c.event_id
JOIN webhook_endpoint ep ON ep.id = c.endpoint_id`;

// The attempt rows and the deliveries' new states of a batch, in one statement.
const RECORD_SQL = `
WITH d AS (
  SELECT * FROM unnest($1::uuid[], $2::int[], $3::jsonb[], $4::int[], $5::text[], $6::int[], $7::text[], $8::text[], $9::timestamptz[],
                       $10::text[], $11::int[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[])
    AS t(id, attempt_number, request_headers, status_code, response_body, duration_ms, error_code, error_message, attempted_at,
         status, round_attempts, round_started_at, next_attempt_at, delivered_at)
), attempt AS (
  INSERT INTO webhook_attempt (delivery_id, attempt_number, request_headers, status_code, response_body, duration_ms, error_code, error_message, created_at)
  SELECT id, attempt_number, request_headers, status_code, response_body, duration_ms, error_code, error_message, attempted_at FROM d
)
UPDATE webhook_delivery w SET
  status = d.status::webhook_delivery_status, attempt_count = d.attempt_number, round_attempts = d.round_attempts,
  round_started_at = d.round_started_at, next_attempt_at = d.next_attempt_at, lease_until = NULL, last_attempt_at = d.attempted_at,
  last_status_code = d.status_code, last_error_code = d.error_code, delivered_at = d.delivered_at, updated_at = now()
FROM d WHERE w.id = d.id`;

/** Deliveries claimed or recorded together: the jobs a worker runs at the same moment share one statement. */
const BATCH = 200;
const BATCH_WINDOW_MS = 1;
const batchOptions = { cache: false, maxBatchSize: BATCH, batchScheduleFn: (run: () => void) => setTimeout(run, BATCH_WINDOW_MS) };

/** One attempt as recorded: the attempt row (AttemptView without its time) and the delivery's next state. */
interface AttemptRecord extends Omit<AttemptView, 'at'> {
  deliveryId: string;
  attemptedAt: Date;
  status: 'delivered' | 'pending' | 'failed';
  roundAttempts: number;
  roundStartedAt: Date;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
}

export interface AttemptOutcome {
  /** Set when the delivery should be attempted again at this time (the processor delays its job). */
  retryAt?: Date;
}

/** Claims a due delivery, signs and POSTs it, records the attempt, and decides what happens next. */
@Injectable()
export class WebhookDispatcher {
  private readonly logger = new Logger('WebhookDispatcher');
  private readonly claims = new DataLoader<string, ClaimedRow | null>((ids) => this.claimBatch(ids), batchOptions);
  private readonly records = new DataLoader<AttemptRecord, true>((batch) => this.recordBatch(batch), batchOptions);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly http: OutboundHttpClient,
    private readonly signer: WebhookSigner,
    private readonly endpoints: WebhookEndpointsService,
    private readonly notifications: NotificationsService,
    private readonly config: AppConfig,
  ) {}

  async attempt(deliveryId: string): Promise<AttemptOutcome> {
    const { timeoutMs, retrySchedule } = this.config.webhooks;
    const row = await this.claims.load(deliveryId);
    const now = new Date();
    if (!row) return this.notClaimed(deliveryId, now);

    if (row.endpoint_status === 'disabled') {
      await this.dataSource.query(`UPDATE webhook_delivery SET status = 'skipped', next_attempt_at = NULL, lease_until = NULL, updated_at = now() WHERE id = $1`, [row.id]);
      return {};
    }

    const body = JSON.stringify({ id: row.event_id, type: row.type, timestamp: row.event_created_at.toISOString(), team_id: row.team_id, data: row.data });
    let secrets: string[];
    try {
      secrets = this.endpoints.signingSecrets(
        row.endpoint_id,
        { secretEncrypted: row.secret_encrypted, previousSecretEncrypted: row.previous_secret_encrypted, previousSecretExpiresAt: row.previous_secret_expires_at },
        now,
      );
    } catch (e) {
      if (!(e instanceof UnknownKeyError || e instanceof DecryptionError)) throw e;
      return this.secretUnavailable(row, e.message);
    }
    const headers = this.signer.headers({ secrets, msgId: row.event_id, timestampSeconds: Math.floor(now.getTime() / 1000), body, eventType: row.type });
    const result = await this.http.request({ url: row.url, method: 'POST', headers, body, timeoutMs });
    const attemptedAt = new Date(now.getTime());
    const roundStartedAt = row.round_started_at ?? attemptedAt;
    const roundAttempts = row.round_attempts + 1;
    const attemptNumber = row.attempt_count + 1;

    let status: 'delivered' | 'pending' | 'failed';
    let next: Date | null = null;
    let endpointChange: 'recovered' | 'gone' | 'exhausted' | null = null;
    if (result.ok && result.status >= 200 && result.status < 300) {
      status = 'delivered';
      if (row.endpoint_status === 'failing') endpointChange = 'recovered';
    } else if (result.ok && result.status === 410) {
      status = 'failed';
      endpointChange = 'gone';
    } else {
      const retryAfter = result.ok && (result.status === 429 || result.status === 503) ? parseRetryAfter(result.headers['retry-after'], new Date()) : undefined;
      next = nextAttemptAt({ schedule: retrySchedule, firstAttemptAt: roundStartedAt, attemptsMade: roundAttempts, now: new Date(), retryAfterSeconds: retryAfter });
      status = next ? 'pending' : 'failed';
      if (!next) endpointChange = 'exhausted';
    }

    const record: AttemptRecord = {
      deliveryId: row.id,
      attemptNumber,
      requestHeaders: headers,
      statusCode: result.ok ? result.status : null,
      responseBody: result.ok ? result.body : null,
      durationMs: result.durationMs,
      errorCode: result.ok ? null : result.errorCode,
      errorMessage: result.ok ? null : result.message,
      attemptedAt,
      status,
      roundAttempts,
      roundStartedAt,
      nextAttemptAt: next,
      deliveredAt: status === 'delivered' ? new Date() : null,
    };
    if (!endpointChange) {
      await this.records.load(record);
    } else {
      // rare (an endpoint changes state): the attempt, the delivery and the endpoint in one transaction
      await this.dataSource.transaction(async (em) => {
        await em.query(RECORD_SQL, recordParams([record]));
        await this.changeEndpoint(em, row, endpointChange, result);
      });
    }
    if (status === 'failed') {
      this.logger.warn(
        { teamId: row.team_id, endpointId: row.endpoint_id, deliveryId: row.id, eventId: row.event_id, attempts: attemptNumber, outcome: describe(result) },
        `webhook delivery failed for good (${describe(result)})`,
      );
    }
    return next ? { retryAt: next } : {};
  }

  /**
   * The endpoint's secret cannot be decrypted (its key left ENCRYPTION_KEYS): nothing can be signed, so the delivery
   * fails at once (kept for recover) and the endpoint goes failing with a notification saying to rotate the secret.
   */
  private async secretUnavailable(row: ClaimedRow, reason: string): Promise<AttemptOutcome> {
    await this.dataSource.transaction(async (em) => {
      await em.query(
        `UPDATE webhook_delivery SET status = 'failed', next_attempt_at = NULL, lease_until = NULL, last_error_code = 'SECRET_UNAVAILABLE', updated_at = now() WHERE id = $1`,
        [row.id],
      );
      const [changed] = (await em.query(
        `UPDATE webhook_endpoint SET status = 'failing', status_reason = $2, updated_at = now() WHERE id = $1 AND status = 'active' RETURNING url`,
        [row.endpoint_id, `the signing secret cannot be decrypted (${reason}); rotate the secret`],
      )) as [{ url: string }[], number];
      if (changed.length) {
        await this.notifications.notify(
          em,
          row.team_id,
          'webhook_endpoint.failing',
          `Webhook endpoint ${row.endpoint_id} (${originOf(changed[0].url)}) cannot sign deliveries: its secret cannot be decrypted (${reason}). Rotate the secret, then recover.`,
          { endpoint_id: row.endpoint_id, delivery_id: row.id },
        );
      }
    });
    this.logger.error({ teamId: row.team_id, endpointId: row.endpoint_id, deliveryId: row.id }, `webhook secret cannot be decrypted: ${reason}`);
    return {};
  }

  private async claimBatch(ids: readonly string[]): Promise<(ClaimedRow | null)[]> {
    const now = new Date();
    const lease = new Date(now.getTime() + this.config.webhooks.timeoutMs + LEASE_MARGIN_MS);
    const rows = (await this.dataSource.query(CLAIM_SQL, [ids, lease, new Date(now.getTime() + EARLY_TOLERANCE_MS), now])) as ClaimedRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    // the same delivery twice in one batch: only the first caller holds the lease
    return ids.map((id) => {
      const row = byId.get(id) ?? null;
      byId.delete(id);
      return row;
    });
  }

  private async recordBatch(batch: readonly AttemptRecord[]): Promise<true[]> {
    await this.dataSource.query(RECORD_SQL, recordParams(batch));
    return batch.map(() => true as const);
  }

  /** Not claimable: not due yet, leased by another worker, or finished / deleted (nothing to do). */
  private async notClaimed(deliveryId: string, now: Date): Promise<AttemptOutcome> {
    const [d] = (await this.dataSource.query(`SELECT status, next_attempt_at, lease_until FROM webhook_delivery WHERE id = $1`, [deliveryId])) as {
      status: string;
      next_attempt_at: Date | null;
      lease_until: Date | null;
    }[];
    if (!d || d.status !== 'pending') return {};
    const due = d.next_attempt_at ?? now;
    const leased = d.lease_until && d.lease_until > now ? d.lease_until : now;
    const at = new Date(Math.max(due.getTime(), leased.getTime(), now.getTime() + 1));
    return { retryAt: at };
  }

  private async changeEndpoint(em: EntityManager, row: ClaimedRow, change: 'recovered' | 'gone' | 'exhausted', result: OutboundResult): Promise<void> {
    const team = row.team_id;
    const endpointId = row.endpoint_id;
    if (change === 'recovered') {
      await em.query(`UPDATE webhook_endpoint SET status = 'active', status_reason = NULL, updated_at = now() WHERE id = $1 AND status = 'failing'`, [endpointId]);
      this.logger.log({ teamId: team, endpointId }, 'webhook endpoint recovered: a delivery succeeded');
      return;
    }
    if (change === 'gone') {
      const reason = 'the endpoint answered 410 Gone';
      const [changed] = (await em.query(
        `UPDATE webhook_endpoint SET status = 'disabled', status_reason = $2, updated_at = now() WHERE id = $1 AND status <> 'disabled' RETURNING url`,
        [endpointId, reason],
      )) as [{ url: string }[], number];
      if (changed.length) {
        await this.notifications.notify(em, team, 'webhook_endpoint.disabled', `Webhook endpoint ${endpointId} (${originOf(changed[0].url)}) was disabled: ${reason}.`, {
          endpoint_id: endpointId,
          delivery_id: row.id,
        });
      }
      return;
    }
    const reason = `deliveries failed after every retry (last: ${describe(result)})`;
    const [changed] = (await em.query(
      `UPDATE webhook_endpoint SET status = 'failing', status_reason = $2, updated_at = now() WHERE id = $1 AND status = 'active' RETURNING url`,
      [endpointId, reason],
    )) as [{ url: string }[], number];
    if (changed.length) {
      await this.notifications.notify(
        em,
        team,
        'webhook_endpoint.failing',
        `Webhook endpoint ${endpointId} (${originOf(changed[0].url)}) is failing: ${reason}. New events are still attempted; use recover to re-send failed deliveries.`,
        { endpoint_id: endpointId, delivery_id: row.id, event_id: row.event_id },
      );
    }
  }
}

/** Scheme and host only: an endpoint's path or query may itself be a credential (as in Slack incoming-webhook URLs). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid URL';
  }
}

/** RECORD_SQL's parameters: one array per column. */
function recordParams(batch: readonly AttemptRecord[]): unknown[] {
  const col = <T>(pick: (r: AttemptRecord) => T): T[] => batch.map(pick);
  return [
    col((r) => r.deliveryId),
    col((r) => r.attemptNumber),
    col((r) => JSON.stringify(r.requestHeaders)),
    col((r) => r.statusCode),
    col((r) => r.responseBody),
    col((r) => r.durationMs),
    col((r) => r.errorCode),
    col((r) => r.errorMessage),
    col((r) => r.attemptedAt),
    col((r) => r.status),
    col((r) => r.roundAttempts),
    col((r) => r.roundStartedAt),
    col((r) => r.nextAttemptAt),
    col((r) => r.deliveredAt),
  ];
}

function describe(result: OutboundResult): string {
  return result.ok ? `HTTP ${result.status}` : result.errorCode;
}

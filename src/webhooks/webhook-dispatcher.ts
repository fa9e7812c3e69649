import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DecryptionError, UnknownKeyError } from '../crypto/credential-cipher';
import { OutboundHttpClient } from '../http/outbound-http-client';
import { WebhookSigner } from '../http/signing/webhook-signer';
import { DeliveryWakeup } from './delivery-wakeup';
import { ClaimedDelivery, DeliveryBatchRepository } from './dispatch/delivery-batch.repository';
import { DeliveryLanes } from './dispatch/delivery-lanes';
import { decideOutcome, describeResult } from './dispatch/delivery-outcome';
import { DeliveryRecorder } from './dispatch/delivery-recorder';
import { DispatchTimers } from './dispatch/dispatch-timers';
import { EndpointStatusService } from './dispatch/endpoint-status.service';
import { SigningMaterial } from './dispatch/signing-material';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { ScheduledJobs } from '../database/scheduled-jobs';
import { Clock } from '../common/clock';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
/** A claimed delivery is sent only if its request can finish this long before the lease runs out. */
const LEASE_MARGIN_MS = 5000;
/** Timers and clocks disagree by a few ms: a delivery due this soon counts as due. */
const EARLY_TOLERANCE_MS = 10;
/** Rate-limit slots are reserved this far ahead. */
const RATE_HORIZON_MS = 1000;
const STATS_INTERVAL_MS = 10_000;
/**
 * After a claim that found less than it could take (it drained what was due), the next one waits this long: a busy
 * publisher wakes the dispatcher hundreds of times a second, and each claim costs PostgreSQL its planning whatever its
 * size. Adds at most this much latency; a full claim is followed at once.
 */
const CLAIM_PACING_MS = 25;

/**
 * The batch dispatcher (worker role). Claims due deliveries from PostgreSQL in batches (fair across teams and
 * endpoints, SKIP LOCKED, leased), sends them concurrently — at most WEBHOOK_CONCURRENCY requests, and
 * WEBHOOK_ENDPOINT_CONCURRENCY per endpoint — and records each batch of results in one statement. It claims when woken
 * (a commit here or in another process), when a retry it scheduled comes due, when sends free room, and every
 * WEBHOOK_POLL_INTERVAL_MS as a safety net. Nothing is held in Redis: a dispatcher that dies only delays its leased
 * deliveries until their leases run out.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookDispatcher');
  readonly claimer = `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly lanes: DeliveryLanes;
  private readonly recorder: DeliveryRecorder;
  private readonly timers: DispatchTimers;
  private readonly signing: SigningMaterial;
  private running = false;
  private claiming?: Promise<void>;
  private claimAgain = false;
  private claimScheduled = false;
  private lastShortClaim = 0;
  private pacingTimer?: NodeJS.Timeout;
  private afterTeam = NIL_UUID;
  private claimFailures = 0;
  private sends = 0;
  private idle?: () => void;
  private readonly stats = { claims: 0, claimed: 0, claimMs: 0 };
  /** Endpoints this dispatcher already set active again (their other successes need no endpoint update). */
  private readonly recovered = new Set<string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: DeliveryBatchRepository,
    private readonly http: OutboundHttpClient,
    private readonly signer: WebhookSigner,
    endpoints: WebhookEndpointsService,
    private readonly endpointStatus: EndpointStatusService,
    private readonly wakeup: DeliveryWakeup,
    private readonly config: AppConfig,
    private readonly jobs: ScheduledJobs,
    private readonly clock: Clock,
  ) {
    const { endpointConcurrency, batchSize } = config.webhooks;
    this.lanes = new DeliveryLanes(endpointConcurrency, batchSize);
    this.recorder = new DeliveryRecorder(repo, this.claimer, (written) => this.afterWrite(written.length), this.logger);
    this.timers = new DispatchTimers(() => this.requestClaim(), () => this.pump(), () => this.clock.nowMs());
    this.signing = new SigningMaterial(endpoints);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.running = true;
    this.timers.startPolling(this.config.webhooks.pollIntervalMs);
    await this.wakeup.subscribe(() => this.requestClaim());
    this.requestClaim();
    this.jobs.local('webhook-dispatch-stats', STATS_INTERVAL_MS, () => this.logStats(), { unref: true }); // per process
  }

  /** At debug level, every 10 s of activity: claims and writes with their mean size and time. */
  private logStats(): void {
    const c = this.stats;
    const w = this.recorder.stats;
    if (!c.claimed && !w.rows) return;
    const mean = (total: number, n: number): string => (n ? (total / n).toFixed(1) : '-');
    this.logger.debug(
      `${c.claims} claims (${mean(c.claimed, c.claims)} rows, ${mean(c.claimMs, c.claims)} ms each), ${w.writes} writes (${mean(w.rows, w.writes)} rows, ${mean(w.ms, w.writes)} ms each), holding ${this.lanes.held}, unrecorded ${this.recorder.unrecorded}`,
    );
    c.claims = c.claimed = c.claimMs = 0;
    w.writes = w.rows = w.ms = 0;
  }

  /** Stops claiming, lets requests in flight finish, records them, and gives back what was claimed but not sent. */
  async onModuleDestroy(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.timers.stop();
    this.jobs.stop('webhook-dispatch-stats');
    clearTimeout(this.pacingTimer);
    await this.claiming;
    const unsent = this.lanes.drain();
    if (this.sends > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    for (const d of unsent) this.recorder.release(d.id);
    this.recorder.stop();
    await this.recorder.flush().catch((e: unknown) => this.logger.warn({ err: e }, 'could not record the last webhook attempts (their leases will run out)'));
  }

  /** Asks for a claim soon (coalesced: one claim at a time, another right after if asked meanwhile). */
  requestClaim(): void {
    if (!this.running) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    if (this.claimScheduled || this.pacingTimer) return;
    const wait = this.lastShortClaim + CLAIM_PACING_MS - this.clock.nowMs();
    if (wait > 0) {
      this.pacingTimer = setTimeout(() => {
        this.pacingTimer = undefined;
        this.requestClaim();
      }, wait);
      return;
    }
    this.claimScheduled = true;
    setImmediate(() => {
      this.claimScheduled = false;
      if (this.running && !this.claiming) this.claiming = this.claim().finally(() => (this.claiming = undefined));
    });
  }

  private async claim(): Promise<void> {
    const { concurrency, batchSize, timeoutMs } = this.config.webhooks;
    // results not yet recorded count as held: sending must not outrun recording (their leases would run out)
    const room = concurrency + batchSize - this.lanes.held - this.recorder.unrecorded;
    // with deliveries still queued, wait until sends free room for a batch worth a statement
    if (room <= 0 || (this.lanes.queued > 0 && room < Math.min(batchSize / 2, concurrency))) return;
    this.claimAgain = false;
    let again = false;
    try {
      const limit = Math.min(batchSize, room);
      const from = this.afterTeam;
      const now = this.clock.now();
      const started = performance.now();
      const rows = await this.repo.claim({
        claimer: this.claimer,
        afterTeam: from,
        now,
        dueBy: new Date(now.getTime() + EARLY_TOLERANCE_MS),
        leaseUntil: new Date(now.getTime() + 2 * timeoutMs + LEASE_MARGIN_MS),
        limit,
        teamQuantum: limit,
        endpointAllowance: this.lanes.freshAllowance,
        busy: this.lanes.allowances(now.getTime()),
        rateHorizonMs: RATE_HORIZON_MS,
      });
      this.claimFailures = 0;
      this.stats.claims++;
      this.stats.claimed += rows.length;
      this.stats.claimMs += performance.now() - started;
      if (rows.length >= limit) {
        this.afterTeam = rows.reduce((max, r) => (r.teamId > max ? r.teamId : max), from);
        again = true;
      } else if (filledAShare(rows)) {
        // an endpoint took its whole share of its team's quantum: it may have more due — claim again at once
        this.afterTeam = NIL_UUID;
        again = true;
      } else {
        // every team after `from` was visited: start the ring over, now if some teams were not
        this.afterTeam = NIL_UUID;
        again = from !== NIL_UUID;
        if (!again) this.lastShortClaim = this.clock.nowMs();
      }
      if (rows.length) {
        this.lanes.add(rows);
        this.pump();
      }
    } catch (e) {
      this.claimFailures++;
      if (this.claimFailures === 1 || this.claimFailures % 30 === 0) this.logger.warn({ err: e }, 'could not claim webhook deliveries (retrying)');
      this.timers.retryClaimIn(Math.min(1000 * this.claimFailures, 10_000));
    } finally {
      if (this.running && (again || this.claimAgain)) setImmediate(() => this.requestClaim());
    }
  }

  /** Starts every send the caps allow. */
  private pump(): void {
    if (!this.running) return;
    const now = this.clock.nowMs();
    const next = this.lanes.releaseSlots(now);
    while (this.sends < this.config.webhooks.concurrency) {
      const d = this.lanes.take(now);
      if (!d) break;
      this.sends++;
      void this.send(d);
    }
    this.timers.slotAt(next);
  }

  private async send(d: ClaimedDelivery): Promise<void> {
    try {
      await this.attempt(d);
    } catch (e) {
      // a bug or the database: the lease runs out and the delivery is attempted again
      this.logger.error({ err: e, deliveryId: d.id, endpointId: d.endpointId }, 'webhook delivery attempt failed unexpectedly');
    } finally {
      this.sends--;
      this.lanes.done(d, this.clock.nowMs());
      if (this.running) {
        this.pump();
        if (this.lanes.queued < this.config.webhooks.concurrency) this.requestClaim();
      } else if (this.sends === 0) this.idle?.();
    }
  }

  private async attempt(d: ClaimedDelivery): Promise<void> {
    const { timeoutMs, retrySchedule } = this.config.webhooks;
    if (d.endpointStatus === 'disabled') return this.recorder.skip(d.id);
    if (this.clock.nowMs() + timeoutMs + LEASE_MARGIN_MS > d.claimedUntil.getTime()) return this.recorder.release(d.id);
    const attemptedAt = this.clock.now();
    let secrets: string[];
    try {
      secrets = this.signing.secrets(d, attemptedAt);
    } catch (e) {
      if (!(e instanceof UnknownKeyError || e instanceof DecryptionError)) throw e;
      return this.endpointStatus.secretUnavailable(d, this.claimer, e.message);
    }
    const body = this.signing.body(d);
    const headers = this.signer.headers({ secrets, msgId: d.eventId, timestampSeconds: Math.floor(attemptedAt.getTime() / 1000), body, eventType: d.eventType });
    const result = await this.http.request({ url: d.url, method: 'POST', headers, body, timeoutMs });
    const { record, change } = decideOutcome(d, result, headers, attemptedAt, retrySchedule, this.clock.now());

    if (!change || (change === 'recovered' && this.recovered.has(d.endpointId))) {
      this.recorder.add(record);
      if (d.ordering === 'fifo') this.recorder.hurry(); // the next delivery of this endpoint waits for this result
    }
    else {
      // rare (an endpoint changes state): the attempt, the delivery and the endpoint in one transaction
      await this.dataSource.transaction(async (em) => {
        await this.repo.record([record], this.claimer, em.queryRunner);
        await this.endpointStatus.apply(em, d, change, result);
      });
      if (change === 'recovered') this.recovered.add(d.endpointId);
      else this.recovered.delete(d.endpointId);
      this.afterWrite(1);
    }
    if (record.nextAttemptAt) this.timers.retryAt(record.nextAttemptAt.getTime());
    if (record.status === 'failed') {
      this.logger.warn(
        { teamId: d.teamId, endpointId: d.endpointId, deliveryId: d.id, eventId: d.eventId, attempts: record.attemptNumber, outcome: describeResult(result) },
        `webhook delivery failed for good (${describeResult(result)})`,
      );
    }
  }

  /** Results were written: a FIFO endpoint's next delivery is free, and room was made. */
  private afterWrite(count: number): void {
    if (count && this.running) this.requestClaim();
  }
}

/** Whether some endpoint got as many deliveries as its share of the claim allowed (it may have more due). */
function filledAShare(rows: readonly ClaimedDelivery[]): boolean {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const n = (counts.get(r.endpointId) ?? 0) + 1;
    if (n >= r.endpointShare) return true;
    counts.set(r.endpointId, n);
  }
  return false;
}

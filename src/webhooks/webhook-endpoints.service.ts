import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Conflict, NotFound, ValidationFailed } from '../common/errors';
import { Page, PageQuery } from '../common/pagination';
import { AppConfig } from '../config/app-config';
import { CredentialCipher, DecryptionError, UnknownKeyError } from '../crypto/credential-cipher';
import { generateWebhookSecret } from '../crypto/secrets';
import { EventPublisher } from '../events/event-publisher';
import { CreateWebhookEndpointDto, UpdateWebhookEndpointDto } from './dto/webhook.dto';
import { EndpointOrdering, EndpointStatus, WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { OutboundHttpClient } from '../http/outbound-http-client';
import { auditBefore } from '../audit/audit-context';
import { DeliveryWakeup } from './delivery-wakeup';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository';
import { Clock } from '../common/clock';
import { Ids } from '../common/ids';

export interface WebhookEndpointView {
  id: string;
  teamId: string;
  url: string;
  description: string | null;
  /** null = every event type. */
  eventTypes: string[] | null;
  enabled: boolean;
  status: EndpointStatus;
  statusReason: string | null;
  /** Deliveries started per second at most (across workers); null = no limit. */
  rateLimitPerSecond: number | null;
  /** `fifo`: one delivery at a time in publish order; `none`: concurrently. */
  ordering: EndpointOrdering;
  /** While set and in the future, deliveries carry a second signature made with the previous secret. */
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Create and rotate-secret responses only: the signing secret, shown once. */
export type WebhookEndpointWithSecret = WebhookEndpointView & { secret: string };

export const SECRET_AAD = (id: string) => ({ table: 'webhook_endpoint', rowId: id, field: 'secret' });
export const PREVIOUS_SECRET_AAD = (id: string) => ({ table: 'webhook_endpoint', rowId: id, field: 'previous_secret' });

@Injectable()
export class WebhookEndpointsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly cipher: CredentialCipher,
    private readonly events: EventPublisher,
    private readonly config: AppConfig,
    private readonly http: OutboundHttpClient,
    private readonly wakeup: DeliveryWakeup,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {}

  async create(teamId: string, dto: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecret> {
    const url = await this.checkUrl(dto.url);
    const id = this.ids.uuid();
    const secret = generateWebhookSecret();
    const row = this.endpoints.build({
      id,
      teamId,
      url,
      description: dto.description ?? null,
      eventTypes: dto.eventTypes ?? null,
      status: dto.enabled === false ? 'disabled' : 'active',
      statusReason: dto.enabled === false ? 'created disabled' : null,
      rateLimitPerSecond: dto.rateLimitPerSecond ?? null,
      ordering: dto.ordering ?? 'none',
      secretEncrypted: this.cipher.encrypt(secret, SECRET_AAD(id)),
      previousSecretEncrypted: null,
      previousSecretExpiresAt: null,
    });
    const saved = await this.endpoints.save(row);
    return { ...toView(saved), secret };
  }

  async list(teamId: string, query: PageQuery): Promise<Page<WebhookEndpointView>> {
    const page = await this.endpoints.list(teamId, query);
    return { data: page.data.map(toView), nextCursor: page.nextCursor };
  }

  async get(teamId: string, id: string): Promise<WebhookEndpointView> {
    return toView(await this.find(teamId, id));
  }

  /** The endpoint row of a team, or NotFound (another team's endpoint is "not found" too). */
  async find(teamId: string, id: string): Promise<WebhookEndpoint> {
    const row = await this.endpoints.find(teamId, id);
    if (!row) throw new NotFound('webhook endpoint');
    return row;
  }

  async update(teamId: string, id: string, dto: UpdateWebhookEndpointDto): Promise<WebhookEndpointView> {
    const row = await this.find(teamId, id);
    auditBefore(toView(row));
    if (dto.url !== undefined) row.url = await this.checkUrl(dto.url);
    if (dto.description !== undefined) row.description = dto.description;
    if (dto.eventTypes !== undefined) row.eventTypes = dto.eventTypes;
    if (dto.rateLimitPerSecond !== undefined) row.rateLimitPerSecond = dto.rateLimitPerSecond;
    if (dto.enabled === false && row.status !== 'disabled') Object.assign(row, { status: 'disabled', statusReason: 'disabled by an admin' });
    if (dto.enabled === true && row.status !== 'active') Object.assign(row, { status: 'active', statusReason: null });
    const reorder = dto.ordering !== undefined && dto.ordering !== row.ordering;
    if (dto.ordering !== undefined) row.ordering = dto.ordering;
    if (!reorder) return toView(await this.endpoints.save(row));
    // The deliveries still pending follow the new ordering too (FIFO ones queue in publish order).
    const saved = await this.dataSource.transaction(async (em) => {
      const out = await this.endpoints.save(row, em);
      await this.deliveries.setPendingFifo(em, id, row.ordering === 'fifo');
      return out;
    });
    this.wakeup.signal();
    return toView(saved);
  }

  async remove(teamId: string, id: string): Promise<void> {
    auditBefore(toView(await this.find(teamId, id)));
    if (!(await this.endpoints.delete(teamId, id))) throw new NotFound('webhook endpoint');
  }

  /** New secret now; the old one keeps signing (second signature) for WEBHOOK_SECRET_OVERLAP_S. */
  async rotateSecret(teamId: string, id: string): Promise<WebhookEndpointWithSecret> {
    const secret = generateWebhookSecret();
    const saved = await this.dataSource.transaction(async (em) => {
      const row = await this.endpoints.lockWithSecret(em, teamId, id);
      if (!row) throw new NotFound('webhook endpoint');
      const overlap = this.config.webhooks.secretOverlapSeconds;
      const current = this.tryDecrypt(row.secretEncrypted, id);
      const keep = overlap > 0 && current !== null; // an unreadable old secret cannot overlap: the rotation heals the endpoint
      const patch = {
        secretEncrypted: this.cipher.encrypt(secret, SECRET_AAD(id)),
        previousSecretEncrypted: keep ? this.cipher.encrypt(current, PREVIOUS_SECRET_AAD(id)) : null,
        previousSecretExpiresAt: keep ? new Date(this.clock.nowMs() + overlap * 1000) : null,
      };
      await this.endpoints.setSecrets(em, id, patch);
      return { ...row, ...patch, updatedAt: this.clock.now() };
    });
    return { ...toView(saved), secret };
  }

  /** Sends a `webhook.test` event to this endpoint only. */
  async sendTest(teamId: string, id: string): Promise<{ eventId: string; deliveryId: string }> {
    const row = await this.find(teamId, id);
    if (row.status === 'disabled') throw new Conflict('this webhook endpoint is disabled; enable it (PATCH {"enabled": true}) first');
    const result = await this.dataSource.transaction((em) =>
      this.events.publishTo(em, id, {
        type: 'webhook.test',
        teamId,
        data: { endpoint_id: id, message: 'This is a test event from Switchboard.' },
      }),
    );
    return { eventId: result.eventId as string, deliveryId: result.deliveryIds[0] };
  }

  /**
   * The secrets to sign with, current first, then the previous one when asked (while its overlap lasts). Decrypted
   * only here. Takes the raw envelopes (the dispatcher reads them with the deliveries it claims).
   */
  signingSecrets(id: string, envelopes: { secretEncrypted: string; previousSecretEncrypted: string | null }, withPrevious: boolean): string[] {
    const secrets = [this.cipher.decrypt(envelopes.secretEncrypted, SECRET_AAD(id))];
    if (withPrevious && envelopes.previousSecretEncrypted) secrets.push(this.cipher.decrypt(envelopes.previousSecretEncrypted, PREVIOUS_SECRET_AAD(id)));
    return secrets;
  }

  private tryDecrypt(envelope: string, id: string): string | null {
    try {
      return this.cipher.decrypt(envelope, SECRET_AAD(id));
    } catch (e) {
      if (e instanceof UnknownKeyError || e instanceof DecryptionError) return null;
      throw e;
    }
  }

  /** Scheme, no userinfo, https outside development/tests, and no private or reserved address (SSRF). */
  private async checkUrl(raw: string): Promise<string> {
    const url = raw.trim();
    const fail = (message: string): never => {
      throw new ValidationFailed(message, [{ field: 'url', messages: [message] }]);
    };
    const problem = await this.http.checkUrl(url);
    if (problem?.code === 'SSRF_BLOCKED') fail(`url ${problem.detail}; webhook endpoints must be reachable on the public internet`);
    if (problem) fail(`url ${problem.detail}`);
    if (new URL(url).protocol === 'http:' && !this.config.allowPrivateNetworks) {
      fail('url must use https (http is allowed only with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true)');
    }
    return url;
  }
}

export function toView(e: WebhookEndpoint): WebhookEndpointView {
  return {
    id: e.id,
    teamId: e.teamId,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes,
    enabled: e.status !== 'disabled',
    status: e.status,
    statusReason: e.statusReason,
    rateLimitPerSecond: e.rateLimitPerSecond,
    ordering: e.ordering,
    previousSecretExpiresAt: e.previousSecretExpiresAt,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Page, PageQuery, paginate } from '../common/pagination';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';

/** Which current statuses a status change applies to. */
const FROM = { active: `status = 'active'`, notDisabled: `status <> 'disabled'` } as const;

/** The signing secret columns a rotation writes. */
export type EndpointSecretsPatch = Pick<WebhookEndpoint, 'secretEncrypted' | 'previousSecretEncrypted' | 'previousSecretExpiresAt'>;

/**
 * The webhook_endpoint table's statements: the admin API's (WebhookEndpointsService) and the status changes driven
 * by deliveries (the dispatcher's EndpointStatusService). Methods taking `em` run in the caller's transaction.
 */
@Injectable()
export class WebhookEndpointsRepository {
  constructor(@InjectRepository(WebhookEndpoint) private readonly endpoints: Repository<WebhookEndpoint>) {}

  /** A new, unsaved endpoint. */
  build(fields: Partial<WebhookEndpoint>): WebhookEndpoint {
    return this.endpoints.create(fields);
  }

  /** Inserts or updates the whole row; with `em`, in the caller's transaction. */
  save(row: WebhookEndpoint, em?: EntityManager): Promise<WebhookEndpoint> {
    return (em ? em.getRepository(WebhookEndpoint) : this.endpoints).save(row);
  }

  /** A team's endpoints, newest first. */
  list(teamId: string, page: PageQuery): Promise<Page<WebhookEndpoint>> {
    return paginate(this.endpoints.createQueryBuilder('e').where('e.teamId = :teamId', { teamId }), page);
  }

  find(teamId: string, id: string): Promise<WebhookEndpoint | null> {
    return this.endpoints.findOneBy({ id, teamId });
  }

  /** Deletes the endpoint; false when there was none. */
  async delete(teamId: string, id: string): Promise<boolean> {
    return !!(await this.endpoints.delete({ id, teamId })).affected;
  }

  /** The endpoint with its current secret (not selected by default), locked FOR UPDATE in `em`'s transaction. */
  lockWithSecret(em: EntityManager, teamId: string, id: string): Promise<WebhookEndpoint | null> {
    return em
      .getRepository(WebhookEndpoint)
      .createQueryBuilder('e')
      .addSelect('e.secretEncrypted')
      .where('e.id = :id AND e.teamId = :teamId', { id, teamId })
      .setLock('pessimistic_write')
      .getOne();
  }

  /** Writes the secret columns of a rotation (in `em`'s transaction). */
  async setSecrets(em: EntityManager, id: string, patch: EndpointSecretsPatch): Promise<void> {
    await em.getRepository(WebhookEndpoint).update({ id }, patch);
  }

  /** failing → active; true when it was failing. */
  async markRecovered(em: EntityManager, endpointId: string): Promise<boolean> {
    const [, n] = (await em.query(`UPDATE webhook_endpoint SET status = 'active', status_reason = NULL, updated_at = now() WHERE id = $1 AND status = 'failing'`, [
      endpointId,
    ])) as [unknown, number];
    return n > 0;
  }

  /** Sets the status when the current one matches `from`; returns the endpoint's URL when it changed, else undefined. */
  async setStatus(em: EntityManager, endpointId: string, status: 'failing' | 'disabled', reason: string, from: keyof typeof FROM): Promise<string | undefined> {
    const [changed] = (await em.query(`UPDATE webhook_endpoint SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1 AND ${FROM[from]} RETURNING url`, [
      endpointId,
      status,
      reason,
    ])) as [{ url: string }[], number];
    return changed[0]?.url;
  }
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** Which current statuses a status change applies to. */
const FROM = { active: `status = 'active'`, notDisabled: `status <> 'disabled'` } as const;

/** webhook_endpoint status changes driven by deliveries (the dispatcher's EndpointStatusService), in the caller's transaction. */
@Injectable()
export class WebhookEndpointsRepository {
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

import { EntityManager } from 'typeorm';

/**
 * Takes the transaction-scoped advisory lock `key` (hashed) in `em`'s transaction, waiting for whoever holds it; it is
 * released at commit or rollback. For serializing a check-then-insert that no unique constraint covers.
 */
export async function advisoryXactLock(em: EntityManager, key: string): Promise<void> {
  await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
}

import { removeRun } from './run-resources';
import { TEST_DB_PREFIX } from './test-db';

/** Drops this run's databases and deletes its BullMQ keys: a run leaves nothing behind on the shared services. */
export default async function globalTeardown(): Promise<void> {
  await removeRun(TEST_DB_PREFIX);
}

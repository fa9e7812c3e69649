import 'reflect-metadata';
import { runMigrations } from '../../src/database/prepare-database';
import { removeRun, staleRunPrefixes } from './run-resources';
import { TEMPLATE_DB, TEST_DB_PREFIX, createRunDatabase } from './test-db';

/**
 * Names this run (see run-prefix.ts), clears what interrupted earlier runs left behind, and migrates a template
 * database once; every test file clones it (CREATE DATABASE … TEMPLATE …). global-teardown.ts removes the run's
 * databases and Redis keys.
 */
export default async function globalSetup(): Promise<void> {
  for (const prefix of await staleRunPrefixes()) if (prefix !== TEST_DB_PREFIX) await removeRun(prefix);
  const url = await createRunDatabase(TEMPLATE_DB);
  await runMigrations({ database: { url, migrationsRun: true } }, url);
}

import 'reflect-metadata';
import { runMigrations } from '../../src/database/prepare-database';
import { TEMPLATE_DB, dbUrl, withAdminClient } from './test-db';

/** Migrates a template database once per run; every test file clones it (CREATE DATABASE … TEMPLATE …). */
export default async function globalSetup(): Promise<void> {
  await withAdminClient(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${TEMPLATE_DB}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
  });
  const url = dbUrl(TEMPLATE_DB);
  await runMigrations({ database: { url, migrationsRun: true } }, url);
}

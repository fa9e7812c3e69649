import { Client } from 'pg';

export const BASE_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Lets two checkouts run their suites at once on one PostgreSQL without sharing databases. */
export const TEST_DB_PREFIX = process.env.TEST_DB_PREFIX ?? 'switchboard_test';
export const TEMPLATE_DB = `${TEST_DB_PREFIX}_template`;

export function dbUrl(name: string): string {
  const u = new URL(BASE_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function withAdminClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: dbUrl('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops and re-creates `name` as a copy of the migrated template: each test file starts from an empty, migrated DB. */
export async function cloneTemplate(name: string): Promise<string> {
  await withAdminClient(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`);
  });
  return dbUrl(name);
}

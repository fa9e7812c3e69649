import { Client } from 'pg';
import { RUN_PREFIX } from './run-prefix';

export const BASE_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** This run's name prefix (TEST_DB_PREFIX, or a fresh one per run): see run-prefix.ts. */
export const TEST_DB_PREFIX = RUN_PREFIX;
export const TEMPLATE_DB = `${TEST_DB_PREFIX}_template`;
/** Databases a run creates carry this comment (with the run's prefix and time), so teardown drops exactly those. */
export const RUN_COMMENT = 'switchboard test run';

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

/** Marks a database as made by this run: the global teardown drops it (and a later run, if this one never ends). */
export async function markRunDatabase(c: Client, name: string): Promise<void> {
  await c.query(`COMMENT ON DATABASE "${name}" IS '${RUN_COMMENT} ${TEST_DB_PREFIX} ${new Date().toISOString()}'`);
}

/** (Re-)creates `name` for this run, empty or as a copy of `template`. Only ever drops a name under this run's prefix. */
export async function createRunDatabase(name: string, template?: string): Promise<string> {
  if (!name.startsWith(`${TEST_DB_PREFIX}_`)) throw new Error(`test database "${name}" is not under this run's prefix ${TEST_DB_PREFIX}_`);
  await withAdminClient(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
    await markRunDatabase(c, name);
  });
  return dbUrl(name);
}

/** Drops and re-creates `name` as a copy of the migrated template: each test file starts from an empty, migrated DB. */
export function cloneTemplate(name: string): Promise<string> {
  return createRunDatabase(name, TEMPLATE_DB);
}

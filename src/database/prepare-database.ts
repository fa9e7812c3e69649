import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ConfigError } from '../config/load-config';
import { databaseStartupError } from './database-startup-error';
import { dataSourceOptions } from './database.options';

const MIGRATION_LOCK = 0x5b_0a_4d; // pg advisory lock key: one replica migrates at a time

/** How long startup waits for PostgreSQL to answer before it says so (pg waits forever by default). */
const CONNECT_TIMEOUT_MS = 10_000;

/** Creates the database named in DATABASE_URL when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new ConfigError(['DATABASE_URL must name a database (postgres://…/<name>)']);
  // Usually the database exists; the role may then lack access to the "postgres" database, so try it first.
  const probe = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await probe.connect();
    return false;
  } catch (e) {
    if ((e as { code?: string }).code !== '3D000') throw e; // 3D000: no such database
  } finally {
    await probe.end().catch(() => undefined);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === '42501') {
        const role = decodeURIComponent(target.username) || 'the current role';
        throw new ConfigError([`DATABASE_URL: database "${name}" does not exist and ${role} may not create it (create it, or grant CREATEDB)`]);
      }
      if (code !== '42P04') throw e; // 42P04: created meanwhile by another replica
    }
    return true;
  } finally {
    await client.end();
  }
}

/** Runs pending migrations under an advisory lock so concurrent replicas do not race. Returns the names run. */
export async function runMigrations(config: { database: { url: string; migrationsRun?: boolean } }, url?: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(config, { url }));
  await ds.initialize();
  try {
    await ds.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const done = await ds.runMigrations({ transaction: 'each' });
      return done.map((m) => m.name);
    } finally {
      await ds.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await ds.destroy();
  }
}

/** Creates the database if missing and runs pending migrations; an unreachable or refusing PostgreSQL is a StartupError. */
export async function prepareDatabase(config: AppConfig): Promise<string[]> {
  try {
    await ensureDatabase(config.database.url);
    return config.database.migrationsRun ? await runMigrations(config) : [];
  } catch (e) {
    throw databaseStartupError(e, config.database.url) ?? e;
  }
}

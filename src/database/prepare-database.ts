import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './database.options';

const MIGRATION_LOCK = 0x5b_0a_4d; // pg advisory lock key: one replica migrates at a time

/** Creates the database named in DATABASE_URL when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL must name a database');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (e) {
      if ((e as { code?: string }).code !== '42P04') throw e; // created meanwhile by another replica
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

export async function prepareDatabase(config: AppConfig): Promise<string[]> {
  await ensureDatabase(config.database.url);
  return config.database.migrationsRun ? runMigrations(config) : [];
}

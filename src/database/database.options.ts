import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { AppConfig } from '../config/app-config';
import { SqlLogger } from './sql-logger';

const root = join(__dirname, '..', '..');
const ext = __filename.endsWith('.ts') ? 'ts' : 'js';

/** One definition shared by the app, the TypeORM CLI, the migration tools and the tests. Never `synchronize`. */
export function dataSourceOptions(config: { database: Pick<AppConfig['database'], 'url'> & { poolSize?: number; poolIdleS?: number } }, overrides: { url?: string } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url: overrides.url ?? config.database.url,
    entities: [join(root, 'src', '**', 'entities', `*.entity.${ext}`)],
    migrations: [join(root, 'migrations', `*.${ext}`)],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    uuidExtension: 'pgcrypto',
    synchronize: false,
    migrationsRun: false,
    logger: new SqlLogger(), // never logs a statement's parameters
    // pg-pool closes a connection idle for 10 s by default: a burst after a quiet minute then first opened new
    // backends (each starts with cold catalog caches). A longer idle time keeps the pool warm; its size still bounds it.
    extra: { max: config.database.poolSize ?? 20, idleTimeoutMillis: (config.database.poolIdleS ?? 300) * 1000, application_name: 'switchboard' },
  };
}

import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { AppConfig } from '../config/app-config';
import { SqlLogger } from './sql-logger';

const root = join(__dirname, '..', '..');
const ext = __filename.endsWith('.ts') ? 'ts' : 'js';

/** One definition shared by the app, the TypeORM CLI, the migration tools and the tests. Never `synchronize`. */
export function dataSourceOptions(config: { database: Pick<AppConfig['database'], 'url'> & { poolSize?: number } }, overrides: { url?: string } = {}): DataSourceOptions {
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
    extra: { max: config.database.poolSize ?? 20, application_name: 'switchboard' },
  };
}

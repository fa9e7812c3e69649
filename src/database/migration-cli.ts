import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { StartupError } from '../common/startup-error';
import { loadConfig } from '../config/load-config';
import { readEnvironment } from '../config/read-environment';
import { dataSourceOptions } from './database.options';
import { ensureDatabase, runMigrations } from './prepare-database';

/**
 * `generate <Name>`: migrates a scratch database, diffs it against the entities and writes migrations/<ms>-<Name>.ts.
 * `check`: the same diff; exits 1 when entities and migrations disagree (CI's drift check).
 */
async function main(): Promise<void> {
  const [cmd, name] = process.argv.slice(2);
  const config = loadConfig(readEnvironment());
  const scratch = new URL(config.database.url);
  scratch.pathname = `/${scratch.pathname.slice(1)}_schema_diff`;
  await ensureDatabase(scratch.toString());
  const admin = new DataSource({ type: 'postgres', url: scratch.toString() });
  await admin.initialize();
  await admin.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  await admin.destroy();
  await runMigrations(config, scratch.toString());
  const ds = new DataSource(dataSourceOptions(config, { url: scratch.toString() }));
  await ds.initialize();
  const sql = await ds.driver.createSchemaBuilder().log();
  await ds.destroy();
  const up = sql.upQueries.map((q) => q.query);
  const down = sql.downQueries.map((q) => q.query).reverse();

  if (cmd === 'check') {
    if (up.length) {
      console.error(`Entities and migrations disagree; run \`npm run migration:generate -- <Name>\`:\n${up.join(';\n')}`);
      process.exit(1);
    }
    console.log('migrations match the entities');
    return;
  }
  if (cmd !== 'generate' || !name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
    console.error('usage: npm run migration:generate -- <PascalName>');
    process.exit(2);
  }
  if (!up.length) {
    console.log('no changes: entities match the migrations');
    return;
  }
  const ts = Date.now();
  const esc = (q: string): string => q.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  const body = `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${ts} implements MigrationInterface {
  name = '${name}${ts}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up.map((q) => `    await queryRunner.query(\`${esc(q)}\`);`).join('\n')}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${down.map((q) => `    await queryRunner.query(\`${esc(q)}\`);`).join('\n')}
  }
}
`;
  const file = join(__dirname, '..', '..', '..', 'migrations', `${ts}-${name}.ts`);
  writeFileSync(file, body);
  console.log(`wrote ${file}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(e instanceof StartupError ? e.exitCode : 1);
});

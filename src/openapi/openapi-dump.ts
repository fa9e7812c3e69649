import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHttpApp } from '../bootstrap';
import { loadConfig } from '../config/load-config';
import { prepareDatabase } from '../database/prepare-database';
import { PLATFORM_CONFIGS } from '../integrations';
import { createOpenApiDocument } from './openapi';

/**
 * `node dist/src/openapi/openapi-dump.js <file.json>`: writes the OpenAPI document this build serves at /docs-json,
 * for `npm run openapi:lint`. Boots the HTTP app (ROLE=api, no listening) on DATABASE_URL, which it creates and migrates.
 */
async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: node dist/src/openapi/openapi-dump.js <output.json>');
  // HTTP only (no queue workers or scheduled jobs), quiet
  const config = Object.assign(loadConfig(undefined, PLATFORM_CONFIGS), { role: 'api' as const, logLevel: 'warn' });
  await prepareDatabase(config);
  const app = await createHttpApp(config);
  await app.init();
  let written = false;
  try {
    const doc = createOpenApiDocument(app);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
    written = true;
    console.log(`wrote ${out}: ${Object.keys(doc.paths).length} paths`);
    // The work is done: an error a connection emits while closing (seen once from a BullMQ Redis connection under
    // load) is reported but does not fail the lint step.
    process.on('uncaughtException', (e) => console.error(`ignored while closing: ${e.message}`));
  } finally {
    await app.close().catch((e: unknown) => {
      if (!written) throw e;
      console.error(`ignored while closing: ${(e as Error).message}`);
    });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});

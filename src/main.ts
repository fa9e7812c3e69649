import 'reflect-metadata';
import type { Server } from 'node:http';
import { createHttpApp, createWorkerContext, RunningApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/load-config';
import { prepareDatabase } from './database/prepare-database';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const migrated = await prepareDatabase(config);
  if (migrated.length) console.log(JSON.stringify({ level: 30, msg: `ran migrations: ${migrated.join(', ')}` }));

  let app: RunningApp;
  let server: Server | undefined;
  if (config.runsHttp) {
    const http = await createHttpApp(config);
    await http.listen(config.port);
    server = http.getHttpServer() as Server;
    app = http;
  } else {
    app = await createWorkerContext(config);
    await app.init();
  }

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ level: 30, msg: `${signal}: shutting down` }));
    // Close idle keep-alive sockets so in-flight requests finish and nothing new is accepted.
    server?.closeIdleConnections();
    const timer = setTimeout(() => {
      console.error(JSON.stringify({ level: 50, msg: 'shutdown timed out; exiting' }));
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    app
      .close() // stops HTTP, waits for active BullMQ jobs, closes PostgreSQL and Redis
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        console.error(e);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // After the handlers: from this line on, SIGTERM is a graceful shutdown (supervisors and tests wait for it).
  console.log(JSON.stringify({ level: 30, msg: `started (ROLE=${config.role})` }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});

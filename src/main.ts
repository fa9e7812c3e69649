import 'reflect-metadata';
import type { Server } from 'node:http';
import { createHttpApp, createWorkerContext, RunningApp } from './bootstrap';
import { assertPortFree, listeningUrl, portStartupError } from './common/listen-port';
import { exitOnStartupFailure } from './common/startup-error';
import { loadConfig } from './config/load-config';
import { readEnvironment } from './config/read-environment';
import { prepareDatabase } from './database/prepare-database';
import { PLATFORM_CONFIGS, platformFeatures, platformRedactPaths } from './integrations';
import { createRootLogger } from './logging/root-logger';
import { startupSummary } from './logging/startup-summary';

async function main(): Promise<void> {
  // Startup failures (bad variables, PostgreSQL unreachable or refusing, PORT taken) are StartupErrors: one line each
  // naming the variable, and the exit code README "Exit codes" lists.
  const config = loadConfig(readEnvironment(), PLATFORM_CONFIGS);
  const log = createRootLogger(config, process.stdout, platformRedactPaths());
  if (config.runsHttp) await assertPortFree(config.port);
  const migrated = await prepareDatabase(config);
  if (migrated.length) log.info({ migrations: migrated }, `ran migrations: ${migrated.join(', ')}`);

  let app: RunningApp;
  let server: Server | undefined;
  if (config.runsHttp) {
    const http = await createHttpApp(config);
    await http.listen(config.port).catch((e: unknown) => {
      throw portStartupError(e, config.port) ?? e;
    });
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
  const summary = startupSummary(config, server && listeningUrl(server), platformFeatures(config));
  log.info(summary.fields, summary.msg);
}

main().catch(exitOnStartupFailure);

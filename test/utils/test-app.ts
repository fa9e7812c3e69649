import { NestExpressApplication } from '@nestjs/platform-express';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import Redis from 'ioredis';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { AppModule } from '../../src/app.module';
import { loginKeyPrefix } from '../../src/auth/login-attempt.store';
import { configureHttpApp } from '../../src/bootstrap';
import { Clock } from '../../src/common/clock';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { PLATFORM_CONFIGS } from '../../src/integrations';
import { cloneTemplate } from '../setup/test-db';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  http: () => TestAgent;
  close: () => Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Keep the current worker database instead of cloning a fresh one (e.g. a second app instance). */
  reuseDatabase?: boolean;
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** The app's Clock (e.g. a TestClock the test moves). */
  clock?: Clock;
}

let currentDbUrl: string | undefined;

async function forgetLoginAttempts(config: AppConfig): Promise<void> {
  const redis = new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${loginKeyPrefix(config.redis.prefix)}*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length) await redis.del(...keys);
    }
  } catch {
    // a test whose Redis is not there has no counters to forget
  } finally {
    redis.disconnect();
  }
}

/** The whole app on a fresh database cloned from the migrated template; only the outside world is replaced. */
export async function createTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  if (!opts.reuseDatabase || !currentDbUrl) currentDbUrl = await cloneTemplate(process.env.TEST_WORKER_DB as string);
  const config = loadConfig({ ...process.env, DATABASE_URL: currentDbUrl, ...opts.env }, PLATFORM_CONFIGS);
  // A fresh app starts with fresh login counters (they live in Redis under this Jest worker's prefix).
  if (!opts.reuseDatabase) await forgetLoginAttempts(config);
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] });
  if (opts.clock) builder = builder.overrideProvider(Clock).useValue(opts.clock);
  if (opts.override) builder = opts.override(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ rawBody: true, bufferLogs: true });
  configureHttpApp(app);
  await app.init();
  return {
    app,
    config,
    http: () => request(app.getHttpServer()),
    close: () => app.close(),
  };
}

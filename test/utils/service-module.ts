import { Test, TestingModule, TestingModuleBuilder } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { Clock } from '../../src/common/clock';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { PLATFORM_CONFIGS } from '../../src/integrations';
import { cloneTemplate } from '../setup/test-db';

export interface ServiceModule {
  moduleRef: TestingModule;
  config: AppConfig;
  close: () => Promise<void>;
}

/**
 * The app's modules without HTTP, on a fresh database cloned from the migrated template (service-level tests in
 * test/medium/). Every provider is real unless the test replaces it: `clock`, or any provider through `override`
 * (e.g. a stand-in runtime or HTTP client). ROLE defaults to `api`, so no queue processor or scheduled job competes
 * with the test, which drives the service under test itself.
 */
export async function createServiceModule(
  opts: { env?: Record<string, string>; clock?: Clock; override?: (b: TestingModuleBuilder) => TestingModuleBuilder } = {},
): Promise<ServiceModule> {
  const url = await cloneTemplate(process.env.TEST_WORKER_DB as string);
  const config = loadConfig({ ...process.env, ROLE: 'api', DATABASE_URL: url, ...opts.env }, PLATFORM_CONFIGS);
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] });
  if (opts.clock) builder = builder.overrideProvider(Clock).useValue(opts.clock);
  if (opts.override) builder = opts.override(builder);
  const moduleRef = await builder.compile();
  await moduleRef.init();
  return { moduleRef, config, close: () => moduleRef.close() };
}

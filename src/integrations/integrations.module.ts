import { DynamicModule, MiddlewareConsumer, Module, NestModule, OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ConnectionsModule } from '../connections/connections.module';
import { ConnectorRegistry } from '../connections/connector-registry';
import { PLATFORMS } from './index';
import { IntegrationsOffMiddleware } from './integrations-off.middleware';

/**
 * The platforms of src/integrations/index.ts: each one's module, and its worker module when this process runs the
 * worker with ENABLE_INTEGRATIONS=true. With ENABLE_INTEGRATIONS=false the `/webhooks/*` routes answer 404.
 */
@Module({ imports: [ConnectionsModule] })
export class IntegrationsModule implements NestModule, OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: ConnectorRegistry,
  ) {}

  static forRoot(config: AppConfig): DynamicModule {
    const workers = config.runsWorker && config.integrations.enabled ? PLATFORMS.flatMap((p) => (p.workerModule ? [p.workerModule] : [])) : [];
    return { module: IntegrationsModule, imports: [...PLATFORMS.map((p) => p.module), ...workers] };
  }

  configure(consumer: MiddlewareConsumer): void {
    if (!this.config.integrations.enabled) consumer.apply(IntegrationsOffMiddleware).forRoutes({ path: 'webhooks/*path', method: RequestMethod.ALL });
  }

  /** Every listed platform's connector registered itself under the listed name (connectors register at init). */
  onApplicationBootstrap(): void {
    const registered = new Set(this.registry.platforms());
    const missing = PLATFORMS.map((p) => p.name).filter((name) => !registered.has(name));
    if (missing.length) throw new Error(`no connector registered for platform ${missing.join(', ')} (src/integrations/index.ts)`);
  }
}

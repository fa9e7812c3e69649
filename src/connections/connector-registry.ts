import { Injectable } from '@nestjs/common';
import { ValidationFailed } from '../common/errors';
import type { Platform } from './entities/platform-connection.entity';
import { PlatformConnector } from './platform-connector';

/**
 * Integration modules register their connector here at init (src/integrations/index.ts lists them); everything that
 * asks which platforms exist — validation, the OpenAPI enums, the inbound pipeline — asks this.
 */
@Injectable()
export class ConnectorRegistry {
  private readonly connectors = new Map<Platform, PlatformConnector>();

  register(connector: PlatformConnector): void {
    this.connectors.set(connector.platform, connector);
  }

  /** The platform's connector; 400 naming the supported platforms when there is none. */
  get(platform: Platform): PlatformConnector {
    const c = this.connectors.get(platform);
    if (!c) {
      throw new ValidationFailed(`platform must be one of: ${this.platforms().join(', ')} ("${platform}" is not supported yet)`, [
        { field: 'platform', messages: [`platform must be one of: ${this.platforms().join(', ')}`] },
      ]);
    }
    return c;
  }

  /** A filter value that is a registered platform or one of `others` (e.g. `api`); 400 naming them all otherwise. */
  assertFilter(platform: string, others: readonly string[] = []): void {
    const allowed = [...this.platforms(), ...others];
    if (allowed.includes(platform)) return;
    const message = `platform must be one of: ${allowed.join(', ')}`;
    throw new ValidationFailed(message, [{ field: 'platform', messages: [message] }]);
  }

  platforms(): Platform[] {
    return [...this.connectors.keys()];
  }
}

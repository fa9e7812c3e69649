import { Injectable } from '@nestjs/common';
import { ValidationFailed } from '../common/errors';
import type { Platform } from './entities/platform-connection.entity';
import { PlatformConnector } from './platform-connector';

/** Integration modules register their connector here at init; nothing else names a platform. */
@Injectable()
export class ConnectorRegistry {
  private readonly connectors = new Map<Platform, PlatformConnector>();

  register(connector: PlatformConnector): void {
    this.connectors.set(connector.platform, connector);
  }

  get(platform: Platform): PlatformConnector {
    const c = this.connectors.get(platform);
    if (!c) {
      throw new ValidationFailed(`platform must be one of: ${this.platforms().join(', ')} ("${platform}" is not supported yet)`, [
        { field: 'platform', messages: [`platform must be one of: ${this.platforms().join(', ')}`] },
      ]);
    }
    return c;
  }

  platforms(): Platform[] {
    return [...this.connectors.keys()];
  }
}

import { applyDecorators, CanActivate, Controller, createParamDecorator, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../common/decorators';
import { Unauthorized } from '../common/errors';
import { ConnectionSecretCache } from './connection-secret.cache';
import { ConnectorRegistry } from './connector-registry';
import { Platform, PlatformConnection } from './entities/platform-connection.entity';
import { isInboundConnector } from './platform-connector';

const PLATFORM_KEY = 'switchboard:inboundPlatform';
const VERIFIED = Symbol('verifiedConnection');

/** An inbound platform request: the raw bytes are kept by the body parsers (src/common/body-parsers.ts). */
export type PlatformRequest = Request & { rawBody?: Buffer; [VERIFIED]?: PlatformConnection };

/**
 * The one guard of every `/webhooks/<platform>/:connectionId…` route: loads the connection and the credential its
 * platform authenticates requests with (ConnectionSecretCache), then asks the platform's connector to verify the raw
 * request. An unknown connection, or one of another platform, is 404; a request the connector does not verify is 401
 * with the connector's reason. Nothing is stored either way.
 */
@Injectable()
export class PlatformRequestGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly registry: ConnectorRegistry,
    private readonly secrets: ConnectionSecretCache,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const platform = this.reflector.getAllAndOverride<Platform | undefined>(PLATFORM_KEY, [context.getHandler(), context.getClass()]);
    if (!platform) throw new Error('PlatformRequestGuard runs on controllers marked @PlatformWebhookController(<platform>)');
    const connector = this.registry.get(platform);
    if (!isInboundConnector(connector)) throw new Error(`the ${platform} connector does not verify inbound requests`);
    const req = context.switchToHttp().getRequest<PlatformRequest>();
    const { connection, secret } = await this.secrets.lookup(String(req.params.connectionId ?? ''), platform, connector.requestSecretField);
    const verdict = connector.verifyRequest({ rawBody: req.rawBody ?? Buffer.alloc(0), header: (name) => req.header(name) }, secret);
    if (!verdict.verified) throw new Unauthorized(verdict.reason);
    req[VERIFIED] = connection;
    return true;
  }
}

/**
 * A platform's inbound controller, at `/webhooks/<platform>`: public (the platform authenticates by signature or
 * secret, checked by PlatformRequestGuard on every route), and not part of the admin API's OpenAPI document.
 */
export const PlatformWebhookController = (platform: Platform): ClassDecorator =>
  applyDecorators(Controller(`webhooks/${platform}`), Public(), ApiExcludeController(), SetMetadata(PLATFORM_KEY, platform), UseGuards(PlatformRequestGuard));

/** The connection PlatformRequestGuard verified the request for. */
export const VerifiedConnection = createParamDecorator((_: unknown, context: ExecutionContext): PlatformConnection => {
  const connection = context.switchToHttp().getRequest<PlatformRequest>()[VERIFIED];
  if (!connection) throw new Error('@VerifiedConnection() is only for routes of a @PlatformWebhookController');
  return connection;
});

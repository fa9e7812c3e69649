import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Unauthorized } from '../../common/errors';
import { ConnectionSecretCache } from '../../connections/connection-secret.cache';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { verifySlackSignature } from './slack-signature';

export type SlackRequest = Request & { platformConnection?: PlatformConnection; rawBody?: Buffer };

/** Verifies X-Slack-Signature over the raw body with the connection's signing secret; 401 and nothing stored otherwise. */
@Injectable()
export class SlackSignatureGuard implements CanActivate {
  constructor(private readonly secrets: ConnectionSecretCache) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<SlackRequest>();
    const { connection, secret } = await this.secrets.lookup(String(req.params.connectionId ?? ''), 'slack', 'signingSecret');
    const ok =
      secret !== '' &&
      verifySlackSignature({
        signingSecret: secret,
        rawBody: req.rawBody?.toString('utf8') ?? '',
        signature: req.header('x-slack-signature'),
        timestamp: req.header('x-slack-request-timestamp'),
      });
    if (!ok) throw new Unauthorized('invalid or stale Slack signature');
    req.platformConnection = connection;
    return true;
  }
}

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Unauthorized } from '../../common/errors';
import { ConnectionSecretCache } from '../../connections/connection-secret.cache';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { verifyGitHubSignature } from './github-signature';

export type GitHubRequest = Request & { platformConnection?: PlatformConnection; rawBody?: Buffer };

/** X-Hub-Signature-256 over the raw body with the connection's webhook secret; 401 and nothing stored otherwise. */
@Injectable()
export class GitHubSignatureGuard implements CanActivate {
  constructor(private readonly secrets: ConnectionSecretCache) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<GitHubRequest>();
    const { connection, secret } = await this.secrets.lookup(String(req.params.connectionId ?? ''), 'github', 'webhookSecret');
    if (!verifyGitHubSignature(secret, req.rawBody ?? Buffer.alloc(0), req.header('x-hub-signature-256'))) {
      throw new Unauthorized('invalid X-Hub-Signature-256');
    }
    req.platformConnection = connection;
    return true;
  }
}

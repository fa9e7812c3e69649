import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { Observable } from 'rxjs';
import type { Response } from 'express';
import { AUTH_OPTIONAL, AuthedRequest, IS_PUBLIC } from '../../common/decorators';
import { Forbidden, Unauthorized } from '../../common/errors';
import { ApiKeyRateLimited } from '../api-keys/api-key.errors';
import { ApiKeyRateLimiter } from '../api-keys/api-key-rate-limiter';
import { isApiKeyToken } from '../api-keys/api-key-token';
import { ApiKeysService } from '../api-keys/api-keys.service';

const bearerOf = (req: AuthedRequest): string | undefined => {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
};

/**
 * Global: every route needs a valid bearer token unless marked @Public() (or @OptionalAuth() and none is sent).
 * The token is a user's JWT or a team's API key (`sb_…`): a key is resolved (401 when unknown, revoked or expired),
 * counted against API_KEY_RATE_LIMIT (429 with Retry-After), and only serves routes under /v1/teams/:teamId (403
 * elsewhere); the team-access guard then checks its team and scopes.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly rateLimiter: ApiKeyRateLimiter,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> | Observable<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const optional = this.reflector.getAllAndOverride<boolean>(AUTH_OPTIONAL, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    if (optional && req.headers.authorization === undefined) return true;
    const token = bearerOf(req);
    if (token && isApiKeyToken(token)) return this.authenticateKey(req, context.switchToHttp().getResponse<Response>(), token);
    return super.canActivate(context);
  }

  private async authenticateKey(req: AuthedRequest, res: Response, token: string): Promise<boolean> {
    const key = await this.apiKeys.authenticate(token);
    const rate = await this.rateLimiter.hit(key.keyId);
    if (!rate.allowed) {
      res.setHeader('Retry-After', String(rate.retryAfterSeconds));
      throw new ApiKeyRateLimited(rate.retryAfterSeconds);
    }
    if (typeof req.params?.teamId !== 'string') {
      throw new Forbidden("API keys only work on their team's routes (/v1/teams/{teamId}/…); sign in as a user for this one");
    }
    req.apiKey = key;
    return true;
  }

  override handleRequest<TUser>(err: unknown, user: TUser | false, info: unknown): TUser {
    if (err instanceof Error && !(err.name === 'JsonWebTokenError' || err.name === 'TokenExpiredError')) throw err;
    if (!user) {
      const reason =
        info instanceof Error
          ? info.name === 'TokenExpiredError'
            ? 'token expired'
            : info.message === 'No auth token'
              ? 'missing bearer token'
              : 'invalid token'
          : 'invalid token';
      throw new Unauthorized(`Authentication required: ${reason}`);
    }
    return user;
  }
}

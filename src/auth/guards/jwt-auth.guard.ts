import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { Observable } from 'rxjs';
import type { Request } from 'express';
import { AUTH_OPTIONAL, IS_PUBLIC } from '../../common/decorators';
import { Unauthorized } from '../../common/errors';

/** Global: every route needs a valid bearer token unless marked @Public() (or @OptionalAuth() and none is sent). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> | Observable<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const optional = this.reflector.getAllAndOverride<boolean>(AUTH_OPTIONAL, [context.getHandler(), context.getClass()]);
    if (optional && context.switchToHttp().getRequest<Request>().headers.authorization === undefined) return true;
    return super.canActivate(context);
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

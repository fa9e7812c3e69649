import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config';
import { AuthUser } from '../common/decorators';
import { Unauthorized } from '../common/errors';
import { UsersService } from '../users/users.service';
import { JWT_AUDIENCE } from './auth.service';

/** The claims as they arrive: signed by us, yet only the signature, issuer, audience and a present `exp` are checked. */
interface JwtPayload {
  sub?: unknown;
  exp?: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * HS256 only (so `alg: none` and algorithm-confusion tokens fail), issuer and audience checked, expiry required and
 * enforced (jsonwebtoken checks `exp` only when present), subject a user id (anything else is 401, never a query).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.auth.jwtSecret,
      algorithms: ['HS256'],
      issuer: config.auth.jwtIssuer,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  async validate(payload: JwtPayload): Promise<AuthUser> {
    if (typeof payload.exp !== 'number') throw new Unauthorized('Authentication required: invalid token');
    if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) throw new Unauthorized('Authentication required: invalid token');
    const user = await this.users.findById(payload.sub);
    if (!user) throw new Unauthorized('the user of this token no longer exists');
    return { id: user.id, email: user.email };
  }
}

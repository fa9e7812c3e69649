import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config';
import { AuthUser } from '../common/decorators';
import { Unauthorized } from '../common/errors';
import { UsersService } from '../users/users.service';
import { JWT_AUDIENCE } from './auth.service';

interface JwtPayload {
  sub: string;
  email: string;
}

/** HS256 only (so `alg: none` and algorithm-confusion tokens fail), issuer and audience checked, expiry enforced. */
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
    const user = await this.users.findById(payload.sub);
    if (!user) throw new Unauthorized('the user of this token no longer exists');
    return { id: user.id, email: user.email };
  }
}

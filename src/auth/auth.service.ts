import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { Unauthorized } from '../common/errors';
import { UsersService } from '../users/users.service';
import { TokenResponse } from './dto/login.dto';
import { DUMMY_HASH_PROMISE, verifyPassword } from '../crypto/password';

export const JWT_AUDIENCE = 'switchboard-api';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  async login(email: string, password: string): Promise<TokenResponse> {
    const user = await this.users.findForLogin(email);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (!user || !ok) throw new Unauthorized('email or password is incorrect');
    return this.issue(user.id, user.email);
  }

  async issue(userId: string, email: string): Promise<TokenResponse> {
    const expiresIn = this.config.auth.jwtExpiresInSeconds;
    const accessToken = await this.jwt.signAsync(
      { email },
      { subject: userId, expiresIn, issuer: this.config.auth.jwtIssuer, audience: JWT_AUDIENCE, algorithm: 'HS256' },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn };
  }
}

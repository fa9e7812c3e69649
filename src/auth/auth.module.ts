import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { TeamsModule } from '../teams/teams.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AdminBootstrapService } from './bootstrap-admin.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { TeamAccessGuard } from './guards/team-access.guard';
import { JwtStrategy } from './jwt.strategy';
import { LoginAttemptStore } from './login-attempt.store';
import { LoginLimitModule } from './login-limit.module';

@Module({
  imports: [
    UsersModule,
    TeamsModule,
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ secret: config.auth.jwtSecret, signOptions: { algorithm: 'HS256' } }),
    }),
    ThrottlerModule.forRootAsync({
      imports: [LoginLimitModule],
      inject: [AppConfig, LoginAttemptStore],
      useFactory: (config: AppConfig, storage: LoginAttemptStore) => ({
        storage, // counters in Redis, shared by every replica
        throttlers: [
          { name: 'login', ttl: config.auth.loginRateTtlSeconds * 1000, limit: config.auth.loginRateLimit },
          { name: 'login-ip', ttl: config.auth.loginRateTtlSeconds * 1000, limit: config.auth.loginRateLimit * 10 },
        ],
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    JwtStrategy,
    AdminBootstrapService,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: TeamAccessGuard },
  ],
  exports: [AuthService, AdminBootstrapService],
})
export class AuthModule {}

import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { TeamsModule } from '../teams/teams.module';
import { UsersModule } from '../users/users.module';
import { ApiKeyRateLimiter } from './api-keys/api-key-rate-limiter';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeysRepository } from './api-keys/api-keys.repository';
import { ApiKeysService } from './api-keys/api-keys.service';
import { ApiKey } from './api-keys/entities/api-key.entity';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { TeamAccessGuard } from './guards/team-access.guard';
import { JwtStrategy } from './jwt.strategy';
import { LoginAttemptStore } from './login-attempt.store';
import { LoginLimitModule } from './login-limit.module';

@Module({
  imports: [
    TypeOrmModule.forFeature([ApiKey]),
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
  controllers: [AuthController, ApiKeysController],
  providers: [
    AuthService,
    JwtStrategy,
    AdminBootstrapService,
    ApiKeysRepository,
    ApiKeysService,
    ApiKeyRateLimiter,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: TeamAccessGuard },
  ],
  exports: [AuthService, AdminBootstrapService],
})
export class AuthModule {}

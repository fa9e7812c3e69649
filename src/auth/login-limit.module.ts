import { Module } from '@nestjs/common';
import { LoginAttemptStore } from './login-attempt.store';

/** Provides the Redis-backed login counters to the throttler (its own module so ThrottlerModule can import it). */
@Module({
  providers: [LoginAttemptStore],
  exports: [LoginAttemptStore],
})
export class LoginLimitModule {}

import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DEFAULT_JOB_OPTIONS, redisOptionsFromUrl } from './queues';
import { RedisClient } from './redis.provider';

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        connection: redisOptionsFromUrl(config.redis.url),
        prefix: config.redis.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
  ],
  providers: [RedisClient],
  exports: [RedisClient],
})
export class QueueModule {}

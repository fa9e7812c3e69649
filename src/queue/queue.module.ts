import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { QueueProcessorCheck } from './queue-processor-check';
import { QueueShutdown } from './queue-shutdown';
import { DEFAULT_JOB_OPTIONS, redisOptionsFromUrl } from './queues';
import { RedisAvailability } from './redis-availability';
import { RedisClient } from './redis-client';

@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        connection: redisOptionsFromUrl(config.redis.url),
        prefix: config.redis.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
  ],
  providers: [RedisClient, RedisAvailability, QueueShutdown, QueueProcessorCheck],
  exports: [RedisClient, RedisAvailability],
})
export class QueueModule {}

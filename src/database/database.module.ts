import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './database.options';
import { ScheduledJobs } from './scheduled-jobs';
import { SchedulerLock } from './scheduler-lock';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), autoLoadEntities: false }),
    }),
  ],
  providers: [SchedulerLock, ScheduledJobs],
  exports: [SchedulerLock, ScheduledJobs],
})
export class DatabaseModule {}

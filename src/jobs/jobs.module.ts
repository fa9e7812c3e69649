import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module';
import { ConnectionsModule } from '../connections/connections.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { EventsModule } from '../events/events.module';
import { AgentJob } from './entities/agent-job.entity';
import { AgentJobRun } from './entities/agent-job-run.entity';
import { JobRunner } from './job-runner';
import { JobsController } from './jobs.controller';
import { JobsRepository } from './jobs.repository';
import { JobsScheduler } from './jobs.scheduler';
import { JobsService } from './jobs.service';

/** Scheduled agent jobs: the admin API (every role). */
@Module({
  imports: [TypeOrmModule.forFeature([AgentJob, AgentJobRun]), AgentsModule, ConnectionsModule, ConversationsModule, EventsModule],
  controllers: [JobsController],
  providers: [JobsRepository, JobsService],
  exports: [JobsRepository],
})
export class JobsModule {}

/** Worker only: the scheduler that claims due occurrences and manual runs, and the runner. */
@Module({
  imports: [JobsModule, AgentsModule, ConversationsModule, EventsModule],
  providers: [JobRunner, JobsScheduler],
})
export class JobsWorkerModule {}

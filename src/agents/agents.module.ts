import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsController } from './agents.controller';
import { AgentsRepository } from './agents.repository';
import { AgentsService } from './agents.service';
import { Agent } from './entities/agent.entity';
import { AgentRuntimeService } from './runtimes/agent-runtime.service';
import { EventsModule } from '../events/events.module';
import { OutboundHttpModule } from '../http/outbound-http.module';
import { TranscriptionService } from './transcription/transcription.service';

@Module({
  imports: [TypeOrmModule.forFeature([Agent]), OutboundHttpModule, EventsModule],
  controllers: [AgentsController],
  providers: [AgentsRepository, AgentsService, AgentRuntimeService, TranscriptionService],
  exports: [AgentsService, AgentRuntimeService, TranscriptionService],
})
export class AgentsModule {}

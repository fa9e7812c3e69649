import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';
import { Agent } from './entities/agent.entity';
import { AgentRuntimeService, RUNTIME_HTTP_SENDER } from './runtimes/agent-runtime.service';
import { AppConfig } from '../config/app-config';
import { HttpSender } from '../webhooks/http/http-sender';
import { WebhookSigner } from '../webhooks/signing/webhook-signer';

@Module({
  imports: [TypeOrmModule.forFeature([Agent])],
  controllers: [AgentsController],
  providers: [
    AgentsService,
    AgentRuntimeService,
    WebhookSigner,
    {
      provide: RUNTIME_HTTP_SENDER,
      inject: [AppConfig],
      // one socket per agent call in flight: a worker keeps INBOUND_CONCURRENCY calls open at once
      useFactory: (config: AppConfig) => new HttpSender({ allowPrivateNetworks: config.allowPrivateNetworks, connectionsPerOrigin: config.inbound.concurrency }),
    },
  ],
  exports: [AgentsService, AgentRuntimeService],
})
export class AgentsModule {}

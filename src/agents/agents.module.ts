import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';
import { Agent } from './entities/agent.entity';
import { AgentRuntimeService, RUNTIME_HTTP_SENDER } from './runtimes/agent-runtime.service';
import { AppConfig } from '../config/app-config';
import { HttpSender } from '../http/outbound-http-client';
import { WebhookSigner } from '../http/signing/webhook-signer';

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
      useFactory: (config: AppConfig) => new HttpSender({ allowPrivateNetworks: config.allowPrivateNetworks }),
    },
  ],
  exports: [AgentsService, AgentRuntimeService],
})
export class AgentsModule {}

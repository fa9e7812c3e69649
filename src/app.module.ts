import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod, Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AgentsModule } from './agents/agents.module';
import { AuditModule, AuditWorkerModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ConnectionsModule, ConnectionsWorkerModule } from './connections/connections.module';
import { CryptoModule } from './crypto/crypto.module';
import { ConversationsModule, ConversationsWorkerModule, InboundWorkerModule } from './conversations/conversations.module';
import { IntegrationsOffMiddleware } from './integrations/integrations-off.middleware';
import { GitHubModule } from './integrations/github/github.module';
import { SlackModule } from './integrations/slack/slack.module';
import { TelegramModule, TelegramWorkerModule } from './integrations/telegram/telegram.module';
import { CommonModule } from './common/common.module';
import { GlobalExceptionFilter } from './common/global-exception.filter';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { InvitationsModule } from './invitations/invitations.module';
import { LoggingModule } from './logging/logging.module';
import { QueueModule } from './queue/queue.module';
import { TeamsModule } from './teams/teams.module';
import { UsersModule } from './users/users.module';
import { EventsModule } from './events/events.module';
import { NotificationsModule } from './notifications/notifications.module';
import { WebhooksModule, WebhooksWorkerModule } from './webhooks/webhooks.module';

/** Modules that run BullMQ processors and scheduled jobs: only in ROLE=worker or ROLE=all. */
const WORKER_MODULES: Type[] = [AuditWorkerModule, ConnectionsWorkerModule, ConversationsWorkerModule];
/** Worker modules that process or poll platform events: also only with ENABLE_INTEGRATIONS=true. */
const INTEGRATION_WORKER_MODULES: Type[] = [InboundWorkerModule, TelegramWorkerModule];

@Module({})
export class AppModule implements NestModule {
  constructor(private readonly config: AppConfig) {}

  /** ENABLE_INTEGRATIONS=false: the platform webhook routes answer 404 (the admin API for connections stays). */
  configure(consumer: MiddlewareConsumer): void {
    if (!this.config.integrations.enabled) consumer.apply(IntegrationsOffMiddleware).forRoutes({ path: 'webhooks/*path', method: RequestMethod.ALL });
  }

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        ScheduleModule.forRoot(), // SchedulerRegistry for ScheduledJobs (per-process jobs run in every role)
        LoggingModule,
        DatabaseModule,
        QueueModule,
        UsersModule,
        TeamsModule,
        AuditModule,
        AuthModule,
        InvitationsModule,
        AgentsModule,
        CryptoModule,
        ConnectionsModule,
        ConversationsModule,
        EventsModule,
        NotificationsModule,
        ...(config.webhooks.enabled ? [WebhooksModule] : []),
        TelegramModule,
        SlackModule,
        GitHubModule,
        HealthModule,
        ...(config.runsWorker
          ? [
              ...WORKER_MODULES,
              ...(config.integrations.enabled ? INTEGRATION_WORKER_MODULES : []),
              ...(config.webhooks.enabled ? [WebhooksWorkerModule] : []),
            ]
          : []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: GlobalExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}

import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AgentsModule } from './agents/agents.module';
import { AuditModule, AuditWorkerModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ConnectionsModule, ConnectionsWorkerModule } from './connections/connections.module';
import { CryptoModule } from './crypto/crypto.module';
import { ConversationsModule, ConversationsWorkerModule, InboundWorkerModule } from './conversations/conversations.module';
import { platformRedactPaths } from './integrations';
import { EVENT_TYPES } from './integrations/event-catalog';
import { IntegrationsModule } from './integrations/integrations.module';
import { CommonModule } from './common/common.module';
import { GlobalExceptionFilter } from './common/global-exception.filter';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { InvitationsModule } from './invitations/invitations.module';
import { JobsModule, JobsWorkerModule } from './jobs/jobs.module';
import { LoggingModule } from './logging/logging.module';
import { QueueModule } from './queue/queue.module';
import { TeamsModule } from './teams/teams.module';
import { UsersModule } from './users/users.module';
import { EventsModule } from './events/events.module';
import { EventTypesModule } from './events/event-types.module';
import { NotificationsModule } from './notifications/notifications.module';
import { WebhookSharedModule } from './webhooks/webhook-shared.module';
import { WebhooksModule, WebhooksWorkerModule } from './webhooks/webhooks.module';

/** Modules that run BullMQ processors and scheduled jobs: only in ROLE=worker or ROLE=all. */
const WORKER_MODULES: Type[] = [AuditWorkerModule, ConnectionsWorkerModule, ConversationsWorkerModule, JobsWorkerModule];
/** Worker modules that process platform events: also only with ENABLE_INTEGRATIONS=true (platforms' own: IntegrationsModule). */
const INTEGRATION_WORKER_MODULES: Type[] = [InboundWorkerModule];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        ScheduleModule.forRoot(), // SchedulerRegistry for ScheduledJobs (per-process jobs run in every role)
        LoggingModule.forRoot(platformRedactPaths()),
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
        WebhookSharedModule,
        JobsModule,
        EventTypesModule.forRoot(EVENT_TYPES), // the port EventPublisher checks types with: the assembled catalog
        EventsModule,
        NotificationsModule,
        ...(config.webhooks.enabled ? [WebhooksModule] : []),
        IntegrationsModule.forRoot(config),
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

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module';
import { EventsModule } from '../events/events.module';
import { ConnectionChanges } from './connection-changes';
import { ConnectionSecretCache } from './connection-secret.cache';
import { ConnectorRegistry } from './connector-registry';
import { AgentConnectionsController, TeamConnectionsController } from './connections.controller';
import { ConnectionsRepository } from './connections.repository';
import { ConnectionsService } from './connections.service';
import { ConnectionStatusService } from './connection-status.service';
import { ConnectionTestService } from './connection-test.service';
import { ConnectionHealthScheduler } from './connection-health.scheduler';
import { ConnectionHealthService } from './connection-health.service';
import { ConnectionStatusChange } from './entities/connection-status-change.entity';
import { PlatformConnection } from './entities/platform-connection.entity';

@Module({
  imports: [TypeOrmModule.forFeature([PlatformConnection, ConnectionStatusChange]), AgentsModule, EventsModule],
  controllers: [AgentConnectionsController, TeamConnectionsController],
  providers: [ConnectorRegistry, ConnectionChanges, ConnectionsRepository, ConnectionStatusService, ConnectionsService, ConnectionHealthService, ConnectionSecretCache, ConnectionTestService],
  exports: [ConnectorRegistry, ConnectionChanges, ConnectionsService, ConnectionHealthService, ConnectionSecretCache],
})
export class ConnectionsModule {}

/** Worker-only part: the scheduled health check. */
@Module({
  imports: [ConnectionsModule],
  providers: [ConnectionHealthScheduler],
})
export class ConnectionsWorkerModule {}

import { Injectable, OnModuleInit } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service';
import { ConnectionsService } from '../connections/connections.service';
import { EventsService } from './events.service';

/** Publishes `agent.status_changed` and `platform_connection.status_changed` inside the transaction that made the change. */
@Injectable()
export class StatusEventsBridge implements OnModuleInit {
  constructor(
    private readonly agents: AgentsService,
    private readonly connections: ConnectionsService,
    private readonly events: EventsService,
  ) {}

  onModuleInit(): void {
    this.agents.onStatusChange(async (em, { agent, previousStatus, status }) => {
      await this.events.publish(em, {
        type: 'agent.status_changed',
        teamId: agent.teamId,
        data: { agent_id: agent.id, name: agent.name, slug: agent.slug, from: previousStatus, to: status, changed_at: new Date().toISOString() },
      });
    });
    this.connections.onStatusChange(async (em, { connection, previousStatus, status, reason }) => {
      // Only identifiers and statuses: never the connection's credentials, hints or settings.
      await this.events.publish(em, {
        type: 'platform_connection.status_changed',
        teamId: connection.teamId,
        data: {
          connection_id: connection.id,
          agent_id: connection.agentId,
          platform: connection.platform,
          from: previousStatus,
          to: status,
          reason,
          changed_at: new Date().toISOString(),
        },
      });
    });
  }
}

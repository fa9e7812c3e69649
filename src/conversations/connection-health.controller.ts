import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { IdParam } from '../common/params';
import { ConnectionHealthView } from '../connections/connection.types';
import { ConnectionHealthResponse } from '../connections/dto/connection-response.dto';
import { InboundEventLogService } from './inbound-event-log.service';

/**
 * A connection's health: its state (connections/) with the outcomes of its inbound events (this module's table). Served
 * here because it needs both; connections/ does not know the inbound event table.
 */
@ApiTags('connections')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/agents/:agentId/connections')
export class ConnectionHealthController {
  constructor(private readonly log: InboundEventLogService) {}

  @Get(':connectionId/health')
  @ApiOperation({
    summary: "Get a connection's health",
    description: 'Last check, last event, failures in a row, the last 10 status changes, and how many inbound events of the last 24 h were handled or failed.',
  })
  @ApiOkResponse({ type: ConnectionHealthResponse })
  @ApiErrors(401, 404)
  health(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('connectionId', 'connection') id: string,
  ): Promise<ConnectionHealthView> {
    return this.log.health(teamId, agentId, id);
  }
}

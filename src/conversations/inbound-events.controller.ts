import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator';
import { ApiErrors, ApiPageResponse } from '../common/api-docs';
import { TeamWrite } from '../common/decorators';
import { Page } from '../common/pagination';
import { IdParam } from '../common/params';
import { InboundEventListQuery } from './dto/inbound-event.dto';
import { InboundEventDetailResponse, InboundEventResponse } from './dto/inbound-event-response.dto';
import { InboundEventDetailView, InboundEventLogService, InboundEventView } from './inbound-event-log.service';

/** The inbound event log of a connection: what the platform sent, what became of it, and replay. */
@ApiTags('connections')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/agents/:agentId/connections/:connectionId/events')
export class InboundEventsController {
  constructor(private readonly log: InboundEventLogService) {}

  @Get()
  @ApiOperation({
    summary: "List a connection's inbound events",
    description: 'Newest first: status, error, attempts and times of every event the platform delivered (without payloads); finished events are kept for INBOUND_RETENTION_DAYS. Filters: status, since, until.',
  })
  @ApiPageResponse(InboundEventResponse)
  @ApiErrors(400, 401, 404)
  list(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('connectionId', 'connection') connectionId: string,
    @Query() query: InboundEventListQuery,
  ): Promise<Page<InboundEventView>> {
    return this.log.list(teamId, agentId, connectionId, query);
  }

  @TeamWrite()
  @Get(':eventId')
  @ApiOperation({ summary: 'Get an inbound event with its payload (owner/admin)', description: 'The payload is what the platform sent (user messages included).' })
  @ApiOkResponse({ type: InboundEventDetailResponse })
  @ApiErrors(401, 403, 404)
  get(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('connectionId', 'connection') connectionId: string,
    @IdParam('eventId', 'event') eventId: string,
  ): Promise<InboundEventDetailView> {
    return this.log.get(teamId, agentId, connectionId, eventId);
  }

  @TeamWrite()
  @Post(':eventId/replay')
  @Audited({ action: 'inbound_event.replayed', targetType: 'inbound_event', idParam: 'eventId', after: false })
  @HttpCode(202)
  @ApiOperation({
    summary: 'Replay a failed or ignored inbound event (owner/admin)',
    description:
      'Puts the event back to `received` (attempt counters reset) and through the pipeline again. An event that already has a stored reply gets that reply resent — the agent is not asked again; otherwise the agent answers it. The conversation is drained oldest first, so the replayed event is handled before newer pending events of the same chat. Refused (409) for `done`, `received` and `processing` events, while the connection is not active, and with ENABLE_INTEGRATIONS=false.',
  })
  @ApiAcceptedResponse({ type: InboundEventResponse, description: 'Queued again (status `received`)' })
  @ApiErrors(401, 403, 404, [409, 'The event is not failed or ignored, the connection is not active, or integrations are disabled'])
  replay(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('connectionId', 'connection') connectionId: string,
    @IdParam('eventId', 'event') eventId: string,
  ): Promise<InboundEventView> {
    return this.log.replay(teamId, agentId, connectionId, eventId);
  }
}

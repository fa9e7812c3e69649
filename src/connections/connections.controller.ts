import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse } from '../common/api-docs';
import { TeamWrite } from '../common/decorators';
import { Page } from '../common/pagination';
import { IdParam } from '../common/params';
import { ConnectionTestResult, ConnectionTestService } from './connection-test.service';
import { ConnectionView } from './connection.types';
import { ConnectionsService } from './connections.service';
import { ConnectionListQuery, CreateConnectionDto, UpdateConnectionDto } from './dto/connection.dto';
import { ConnectionResponse, ConnectionTestResponse } from './dto/connection-response.dto';
import { Audited } from '../audit/audited.decorator';

@ApiTags('connections')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/agents/:agentId/connections')
export class AgentConnectionsController {
  constructor(
    private readonly connections: ConnectionsService,
    private readonly tests: ConnectionTestService,
  ) {}

  @TeamWrite()
  @Post()
  @Audited({ action: 'connection.created', targetType: 'connection' })
  @ApiOperation({
    summary: 'Connect an agent to a platform (owner/admin)',
    description:
      'Checks the credentials with the platform, registers delivery where the platform allows (Telegram setWebhook, or polling with `settings.mode: "polling"`), stores the credentials encrypted. `setup` says what happened and what is left to configure.',
  })
  @ApiCreatedResponse({ type: ConnectionResponse })
  @ApiErrors(
    400,
    401,
    403,
    404,
    [409, 'The agent already has a connection of this platform'],
    [422, 'The platform rejected the credentials or the webhook'],
    [502, 'The platform could not be reached'],
  )
  create(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @Body() dto: CreateConnectionDto,
  ): Promise<ConnectionView> {
    return this.connections.create(teamId, agentId, dto);
  }

  @Get()
  @ApiOperation({ summary: "List an agent's connections" })
  @ApiPageResponse(ConnectionResponse)
  @ApiErrors(400, 401, 404)
  list(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @Query() query: ConnectionListQuery,
  ): Promise<Page<ConnectionView>> {
    return this.connections.list(teamId, query, agentId);
  }

  @Get(':connectionId')
  @ApiOperation({ summary: 'Get a connection' })
  @ApiOkResponse({ type: ConnectionResponse })
  @ApiErrors(401, 404)
  get(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('connectionId', 'connection') id: string,
  ): Promise<ConnectionView> {
    return this.connections.get(teamId, agentId, id);
  }

  @TeamWrite()
  @Post(':connectionId/test')
  @Audited({ action: 'connection.tested', targetType: 'connection', idParam: 'connectionId' })
  @HttpCode(200)
  @ApiOperation({
    summary: "Test a connection's credentials with the platform now (owner/admin)",
    description:
      'Calls the platform with the stored credentials (Telegram getMe, Slack auth.test, GitHub /user or the app installation) and answers the result; a failure is a 200 with `ok: false` and the reason. When it passes, a connection in `error` goes back to `active` (a `platform_connection.status_changed` event is published).',
  })
  @ApiOkResponse({ type: ConnectionTestResponse })
  @ApiErrors(401, 403, 404)
  test(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('connectionId', 'connection') id: string,
  ): Promise<ConnectionTestResult> {
    return this.tests.test(teamId, agentId, id);
  }

  @TeamWrite()
  @Patch(':connectionId')
  @Audited({ action: 'connection.updated', targetType: 'connection', idParam: 'connectionId' })
  @ApiOperation({
    summary: 'Change, pause or resume a connection (owner/admin)',
    description: 'New credentials are checked with the platform first; new settings are registered there again (e.g. Telegram webhook ⇄ polling).',
  })
  @ApiOkResponse({ type: ConnectionResponse })
  @ApiErrors(400, 401, 403, 404, [422, 'The platform rejected the credentials, or stored ones cannot be read'], [502, 'The platform could not be reached'])
  update(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('connectionId', 'connection') id: string,
    @Body() dto: UpdateConnectionDto,
  ): Promise<ConnectionView> {
    return this.connections.update(teamId, agentId, id, dto);
  }

  @TeamWrite()
  @Delete(':connectionId')
  @Audited({ action: 'connection.deleted', targetType: 'connection', idParam: 'connectionId' })
  @HttpCode(204)
  @ApiOperation({ summary: 'Disconnect and delete a connection (owner/admin)', description: 'Disconnects at the platform on a best-effort basis, then deletes.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  remove(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('connectionId', 'connection') id: string,
  ): Promise<void> {
    return this.connections.remove(teamId, agentId, id);
  }
}

@ApiTags('connections')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/connections')
export class TeamConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Get()
  @ApiOperation({ summary: "List all of a team's connections" })
  @ApiPageResponse(ConnectionResponse)
  @ApiErrors(400, 401, 404)
  list(@IdParam('teamId', 'team') teamId: string, @Query() query: ConnectionListQuery): Promise<Page<ConnectionView>> {
    return this.connections.list(teamId, query);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { TeamWrite } from '../common/decorators';
import { Page } from '../common/pagination';
import { IdParam } from '../common/params';
import { ConnectionHealthView, ConnectionView, ConnectionsService } from './connections.service';
import { ConnectionListQuery, CreateConnectionDto, UpdateConnectionDto } from './dto/connection.dto';

@ApiTags('connections')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/agents/:agentId/connections')
export class AgentConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @TeamWrite()
  @Post()
  create(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @Body() dto: CreateConnectionDto,
  ): Promise<ConnectionView> {
    return this.connections.create(teamId, agentId, dto);
  }

  @Get()
  list(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @Query() query: ConnectionListQuery,
  ): Promise<Page<ConnectionView>> {
    return this.connections.list(teamId, query, agentId);
  }

  @Get(':connectionId')
  get(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('connectionId', 'connection') id: string,
  ): Promise<ConnectionView> {
    return this.connections.get(teamId, agentId, id);
  }

  @Get(':connectionId/health')
  health(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('connectionId', 'connection') id: string,
  ): Promise<ConnectionHealthView> {
    return this.connections.health(teamId, agentId, id);
  }

  @TeamWrite()
  @Patch(':connectionId')
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
  @HttpCode(204)
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
  list(@IdParam('teamId', 'team') teamId: string, @Query() query: ConnectionListQuery): Promise<Page<ConnectionView>> {
    return this.connections.list(teamId, query);
  }
}

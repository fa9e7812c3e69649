import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { TeamWrite } from '../common/decorators';
import { Page } from '../common/pagination';
import { IdParam } from '../common/params';
import { AgentListQuery, CreateAgentDto, UpdateAgentDto } from './dto/agent.dto';
import { AgentView, AgentsService } from './agents.service';

@ApiTags('agents')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @TeamWrite()
  @Post()
  create(@IdParam('teamId', 'team') teamId: string, @Body() dto: CreateAgentDto): Promise<AgentView> {
    return this.agents.create(teamId, dto);
  }

  @Get()
  list(@IdParam('teamId', 'team') teamId: string, @Query() query: AgentListQuery): Promise<Page<AgentView>> {
    return this.agents.list(teamId, query, query.status);
  }

  @Get(':agentId')
  async get(@IdParam('teamId', 'team') teamId: string, @IdParam('agentId', 'agent') agentId: string): Promise<AgentView> {
    return this.agents.toView(await this.agents.get(teamId, agentId));
  }

  @TeamWrite()
  @Patch(':agentId')
  update(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @Body() dto: UpdateAgentDto,
  ): Promise<AgentView> {
    return this.agents.update(teamId, agentId, dto);
  }

  @TeamWrite()
  @Delete(':agentId')
  @HttpCode(204)
  remove(@IdParam('teamId', 'team') teamId: string, @IdParam('agentId', 'agent') agentId: string): Promise<void> {
    return this.agents.remove(teamId, agentId);
  }
}

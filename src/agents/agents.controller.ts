import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse } from '../common/api-docs';
import { TeamWrite } from '../common/decorators';
import { Page } from '../common/pagination';
import { IdParam } from '../common/params';
import { AgentListQuery, CreateAgentDto, UpdateAgentDto } from './dto/agent.dto';
import { AgentResponse } from './dto/agent-response.dto';
import { AgentView, AgentsService } from './agents.service';
import { Audited } from '../audit/audited.decorator';

@ApiTags('agents')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @TeamWrite()
  @Post()
  @Audited({ action: 'agent.created', targetType: 'agent' })
  @ApiOperation({ summary: 'Create an agent (owner/admin)', description: 'A generated `http` runtime secret is shown once, in this response.' })
  @ApiCreatedResponse({ type: AgentResponse })
  @ApiErrors(400, 401, 403, 404, [409, 'The slug is taken in this team'])
  create(@IdParam('teamId', 'team') teamId: string, @Body() dto: CreateAgentDto): Promise<AgentView> {
    return this.agents.create(teamId, dto);
  }

  @Get()
  @ApiOperation({ summary: "List a team's agents" })
  @ApiPageResponse(AgentResponse)
  @ApiErrors(400, 401, 404)
  list(@IdParam('teamId', 'team') teamId: string, @Query() query: AgentListQuery): Promise<Page<AgentView>> {
    return this.agents.list(teamId, query, query.status);
  }

  @Get(':agentId')
  @ApiOperation({ summary: 'Get an agent' })
  @ApiOkResponse({ type: AgentResponse })
  @ApiErrors(401, 404)
  async get(@IdParam('teamId', 'team') teamId: string, @IdParam('agentId', 'agent') agentId: string): Promise<AgentView> {
    return this.agents.toView(await this.agents.get(teamId, agentId));
  }

  @TeamWrite()
  @Patch(':agentId')
  @Audited({ action: 'agent.updated', targetType: 'agent', idParam: 'agentId' })
  @ApiOperation({ summary: 'Change an agent (owner/admin)', description: 'Send a masked runtime secret back unchanged (or leave it out) to keep it.' })
  @ApiOkResponse({ type: AgentResponse })
  @ApiErrors(400, 401, 403, 404, [409, 'The slug is taken in this team'])
  update(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @Body() dto: UpdateAgentDto,
  ): Promise<AgentView> {
    return this.agents.update(teamId, agentId, dto);
  }

  @TeamWrite()
  @Delete(':agentId')
  @Audited({ action: 'agent.deleted', targetType: 'agent', idParam: 'agentId' })
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an agent with its connections and conversations (owner/admin)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  remove(@IdParam('teamId', 'team') teamId: string, @IdParam('agentId', 'agent') agentId: string): Promise<void> {
    return this.agents.remove(teamId, agentId);
  }
}

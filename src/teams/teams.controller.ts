import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse } from '../common/api-docs';
import { AuthUser, CurrentMembership, CurrentUser, KeyScope, Roles, TeamMembershipContext, TeamWrite } from '../common/decorators';
import { Page, PageQuery } from '../common/pagination';
import { IdParam } from '../common/params';
import { CreateTeamDto, UpdateMemberDto, UpdateTeamDto } from './dto/team.dto';
import { MemberResponse, TeamResponse } from './dto/team-response.dto';
import { MemberView, TeamView, TeamsService } from './teams.service';
import { Audited } from '../audit/audited.decorator';

@ApiTags('teams')
@ApiBearerAuth()
@Controller('v1/teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Post()
  @Audited({ action: 'team.created', targetType: 'team' })
  @ApiOperation({ summary: 'Create a team (you become its owner)' })
  @ApiCreatedResponse({ type: TeamResponse })
  @ApiErrors(400, 401)
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateTeamDto): Promise<TeamView> {
    return this.teams.create(dto.name, user.id);
  }

  @Get()
  @ApiOperation({ summary: 'List your teams' })
  @ApiPageResponse(TeamResponse)
  @ApiErrors(400, 401)
  list(@CurrentUser() user: AuthUser, @Query() page: PageQuery): Promise<Page<TeamView>> {
    return this.teams.listForUser(user.id, page);
  }

  @Get(':teamId')
  @ApiOperation({ summary: 'Get a team' })
  @ApiOkResponse({ type: TeamResponse })
  @ApiErrors(401, 404)
  get(@IdParam('teamId', 'team') teamId: string, @CurrentMembership() m: TeamMembershipContext): Promise<TeamView> {
    return this.teams.get(teamId, m.role);
  }

  @TeamWrite()
  @Patch(':teamId')
  @Audited({ action: 'team.updated', targetType: 'team', idParam: 'teamId' })
  @ApiOperation({ summary: 'Rename a team (owner/admin)' })
  @ApiOkResponse({ type: TeamResponse })
  @ApiErrors(400, 401, 403, 404)
  update(
    @IdParam('teamId', 'team') teamId: string,
    @CurrentMembership() m: TeamMembershipContext,
    @Body() dto: UpdateTeamDto,
  ): Promise<TeamView> {
    return this.teams.update(teamId, m.role, dto);
  }

  @Roles('owner')
  @Delete(':teamId')
  @Audited({ action: 'team.deleted', targetType: 'team', idParam: 'teamId' })
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a team with everything in it (owner)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  remove(@IdParam('teamId', 'team') teamId: string): Promise<void> {
    return this.teams.remove(teamId);
  }

  @Get(':teamId/members')
  @ApiOperation({ summary: 'List the members of a team' })
  @ApiPageResponse(MemberResponse, 'One page, oldest member first')
  @ApiErrors(400, 401, 404)
  members(@IdParam('teamId', 'team') teamId: string, @Query() page: PageQuery): Promise<Page<MemberView>> {
    return this.teams.listMembers(teamId, page);
  }

  @Get(':teamId/members/:userId')
  @ApiOperation({ summary: 'Get a member of a team' })
  @ApiOkResponse({ type: MemberResponse })
  @ApiErrors(401, 404)
  member(@IdParam('teamId', 'team') teamId: string, @IdParam('userId', 'member') userId: string): Promise<MemberView> {
    return this.teams.getMember(teamId, userId);
  }

  @TeamWrite()
  @KeyScope('admin')
  @Patch(':teamId/members/:userId')
  @Audited({ action: 'team_member.updated', targetType: 'team_member', idParam: 'userId' })
  @ApiOperation({ summary: "Change a member's role (owner/admin)", description: 'Only owners change owners; the last owner stays one.' })
  @ApiOkResponse({ type: MemberResponse })
  @ApiErrors(400, 401, 403, 404, [409, 'The team must keep at least one owner'])
  updateMember(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('userId', 'member') userId: string,
    @CurrentMembership() m: TeamMembershipContext,
    @Body() dto: UpdateMemberDto,
  ): Promise<MemberView> {
    return this.teams.updateMember(teamId, m.role, userId, dto.role);
  }

  @TeamWrite()
  @KeyScope('admin')
  @Delete(':teamId/members/:userId')
  @Audited({ action: 'team_member.removed', targetType: 'team_member', idParam: 'userId' })
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member from a team (owner/admin)', description: 'Only owners remove owners; the last owner stays.' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(401, 403, 404, [409, 'The team must keep at least one owner'])
  removeMember(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('userId', 'member') userId: string,
    @CurrentMembership() m: TeamMembershipContext,
  ): Promise<void> {
    return this.teams.removeMember(teamId, m.role, userId);
  }
}

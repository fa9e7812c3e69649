import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentMembership, CurrentUser, Roles, TeamMembershipContext, TeamWrite } from '../common/decorators';
import { Page, PageQuery } from '../common/pagination';
import { IdParam } from '../common/params';
import { CreateTeamDto, UpdateMemberDto, UpdateTeamDto } from './dto/team.dto';
import { MemberView, TeamView, TeamsService } from './teams.service';

@ApiTags('teams')
@ApiBearerAuth()
@Controller('v1/teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Post()
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateTeamDto): Promise<TeamView> {
    return this.teams.create(dto.name, user.id);
  }

  @Get()
  list(@CurrentUser() user: AuthUser, @Query() page: PageQuery): Promise<Page<TeamView>> {
    return this.teams.listForUser(user.id, page);
  }

  @Get(':teamId')
  get(@IdParam('teamId', 'team') teamId: string, @CurrentMembership() m: TeamMembershipContext): Promise<TeamView> {
    return this.teams.get(teamId, m.role);
  }

  @TeamWrite()
  @Patch(':teamId')
  update(
    @IdParam('teamId', 'team') teamId: string,
    @CurrentMembership() m: TeamMembershipContext,
    @Body() dto: UpdateTeamDto,
  ): Promise<TeamView> {
    return this.teams.update(teamId, m.role, dto);
  }

  @Roles('owner')
  @Delete(':teamId')
  @HttpCode(204)
  remove(@IdParam('teamId', 'team') teamId: string): Promise<void> {
    return this.teams.remove(teamId);
  }

  @Get(':teamId/members')
  members(@IdParam('teamId', 'team') teamId: string, @Query() page: PageQuery): Promise<Page<MemberView>> {
    return this.teams.listMembers(teamId, page);
  }

  @Get(':teamId/members/:userId')
  member(@IdParam('teamId', 'team') teamId: string, @IdParam('userId', 'member') userId: string): Promise<MemberView> {
    return this.teams.getMember(teamId, userId);
  }

  @TeamWrite()
  @Patch(':teamId/members/:userId')
  updateMember(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('userId', 'member') userId: string,
    @CurrentMembership() m: TeamMembershipContext,
    @Body() dto: UpdateMemberDto,
  ): Promise<MemberView> {
    return this.teams.updateMember(teamId, m.role, userId, dto.role);
  }

  @TeamWrite()
  @Delete(':teamId/members/:userId')
  @HttpCode(204)
  removeMember(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('userId', 'member') userId: string,
    @CurrentMembership() m: TeamMembershipContext,
  ): Promise<void> {
    return this.teams.removeMember(teamId, m.role, userId);
  }
}

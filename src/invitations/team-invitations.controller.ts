import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse } from '../common/api-docs';
import { AuthUser, CurrentMembership, CurrentUser, KeyScope, TeamMembershipContext, TeamWrite } from '../common/decorators';
import { Page, PageQuery } from '../common/pagination';
import { IdParam } from '../common/params';
import { CreatedInvitationResponse, InvitationResponse } from './dto/invitation-response.dto';
import { CreateInvitationDto } from './dto/invitation.dto';
import { CreatedInvitation, InvitationView, InvitationsService } from './invitations.service';
import { Audited } from '../audit/audited.decorator';

/** A team's side of invitations: owners and admins invite, list and revoke. */
@ApiTags('invitations')
@ApiBearerAuth()
@TeamWrite()
@KeyScope('admin')
@Controller('v1/teams/:teamId')
export class TeamInvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post('members')
  @Audited({ action: 'invitation.created', targetType: 'invitation' })
  @ApiOperation({
    summary: 'Invite someone by email (owner/admin)',
    description:
      'Creates an invitation (no email is sent): the response carries a one-time `token` and `acceptUrl` to hand over. ' +
      'The answer is the same whether or not the email has an account. Inviting the same email again replaces the pending invitation. ' +
      'Only owners invite an owner or replace the invitation of one.',
  })
  @ApiCreatedResponse({ type: CreatedInvitationResponse })
  @ApiErrors(400, 401, 403, 404, [409, 'The email is already a member of this team'])
  invite(
    @IdParam('teamId', 'team') teamId: string,
    @CurrentUser() user: AuthUser | undefined,
    @CurrentMembership() m: TeamMembershipContext,
    @Body() dto: CreateInvitationDto,
  ): Promise<CreatedInvitation> {
    return this.invitations.create(teamId, { id: user?.id ?? null, role: m.role }, dto);
  }

  @Get('invitations')
  @ApiOperation({ summary: 'Pending invitations of the team, never their tokens (owner/admin)' })
  @ApiPageResponse(InvitationResponse)
  @ApiErrors(400, 401, 403, 404)
  list(@IdParam('teamId', 'team') teamId: string, @Query() page: PageQuery): Promise<Page<InvitationView>> {
    return this.invitations.listPending(teamId, page);
  }

  @Delete('invitations/:invitationId')
  @Audited({ action: 'invitation.revoked', targetType: 'invitation', idParam: 'invitationId' })
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a pending invitation (owner/admin)', description: 'Its token stops working. Only owners revoke the invitation of an owner.' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(401, 403, [404, 'Not found — also an invitation that is no longer pending (accepted, revoked or expired), and ids that are not UUIDs'])
  revoke(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('invitationId', 'invitation') invitationId: string,
    @CurrentMembership() m: TeamMembershipContext,
  ): Promise<void> {
    return this.invitations.revoke(teamId, m.role, invitationId);
  }
}

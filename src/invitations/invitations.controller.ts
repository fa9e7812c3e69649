import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiOptionalBearerAuth, ApiPageResponse } from '../common/api-docs';
import { AuthUser, CurrentUser, OptionalAuth } from '../common/decorators';
import { Page, PageQuery } from '../common/pagination';
import { AcceptedInvitationResponse, MyInvitationResponse } from './dto/invitation-response.dto';
import { AcceptInvitationDto } from './dto/invitation.dto';
import { AcceptedInvitation, InvitationsService, MyInvitationView } from './invitations.service';
import { Audited } from '../audit/audited.decorator';

/** The invitee's side: see pending invitations, accept one with its token. */
@ApiTags('invitations')
@Controller('v1')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @ApiBearerAuth()
  @Get('me/invitations')
  @ApiOperation({ summary: 'Pending invitations addressed to your email (accepting needs the token you were given)' })
  @ApiPageResponse(MyInvitationResponse)
  @ApiErrors(400, 401)
  mine(@CurrentUser() user: AuthUser, @Query() page: PageQuery): Promise<Page<MyInvitationView>> {
    return this.invitations.listForUser(user, page);
  }

  @OptionalAuth()
  @ApiOptionalBearerAuth()
  @Post('invitations/:token/accept')
  @Audited({ action: 'invitation.accepted', targetType: 'team_member', idField: 'member.userId' })
  @ApiOperation({
    summary: 'Accept an invitation (single use)',
    description:
      'Signed in as the invited email: no body. Not signed in: `{name?, password}` creates the account for the invited email ' +
      'when it has none (the response then carries `session` with an access token); an existing account must sign in. ' +
      'Unknown, expired, revoked, used tokens and tokens for another email all answer the same 404.',
  })
  @ApiCreatedResponse({ type: AcceptedInvitationResponse, description: 'You joined the team' })
  @ApiErrors(
    [400, 'Invalid input (`details` names the field), or `name`/`password` sent while signed in'],
    [401, 'A bearer token was sent but is not valid; or, without one, no `password` was sent or the invited email already has an account (sign in as it)'],
    [404, 'The token is unknown, expired, revoked, already used, or for another email than yours (one answer for all)'],
    [409, 'You are already a member of this team'],
  )
  accept(
    @Param('token') token: string,
    @CurrentUser() user: AuthUser | undefined,
    @Body() dto: AcceptInvitationDto,
  ): Promise<AcceptedInvitation> {
    return this.invitations.accept(token, user, dto);
  }
}

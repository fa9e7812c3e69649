import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, OptionalAuth } from '../common/decorators';
import { Page, PageQuery } from '../common/pagination';
import { AcceptInvitationDto } from './dto/invitation.dto';
import { AcceptedInvitation, InvitationsService, MyInvitationView } from './invitations.service';

/** The invitee's side: see pending invitations, accept one with its token. */
@ApiTags('invitations')
@Controller('v1')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @ApiBearerAuth()
  @Get('me/invitations')
  @ApiOperation({ summary: 'Pending invitations addressed to your email (accepting needs the token you were given)' })
  mine(@CurrentUser() user: AuthUser, @Query() page: PageQuery): Promise<Page<MyInvitationView>> {
    return this.invitations.listForUser(user, page);
  }

  @OptionalAuth()
  @ApiBearerAuth()
  @Post('invitations/:token/accept')
  @ApiOperation({
    summary: 'Accept an invitation (single use)',
    description:
      'Signed in as the invited email: no body. Not signed in: `{name?, password}` creates the account for the invited email ' +
      'when it has none (the response then carries `session` with an access token); an existing account must sign in. ' +
      'Unknown, expired, revoked, used tokens and tokens for another email all answer the same 404.',
  })
  accept(
    @Param('token') token: string,
    @CurrentUser() user: AuthUser | undefined,
    @Body() dto: AcceptInvitationDto,
  ): Promise<AcceptedInvitation> {
    return this.invitations.accept(token, user, dto);
  }
}

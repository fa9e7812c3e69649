import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TokenResponse } from '../../auth/dto/login.dto';
import { TEAM_ROLES, TeamRole } from '../../common/decorators';
import { MemberResponse, TeamResponse } from '../../teams/dto/team-response.dto';
import type { AcceptedInvitation, CreatedInvitation, InvitationView, MyInvitationView } from '../invitations.service';

/** A pending invitation as the team sees it (never its token). */
export class InvitationResponse implements InvitationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty({ example: 'ada@example.com', description: 'The invited email, lower-cased' }) email: string;
  @ApiProperty({ enum: TEAM_ROLES, enumName: 'TeamRole', description: 'The role the invitee gets on accepting' }) role: TeamRole;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Who invited; null when that user was deleted' }) invitedById: string | null;
  @ApiProperty({ description: 'After this the token no longer works (INVITATION_TTL_HOURS after the invite)' }) expiresAt: Date;
  @ApiProperty() createdAt: Date;
}

export class CreatedInvitationResponse extends InvitationResponse implements CreatedInvitation {
  @ApiProperty({ example: 'sbinv_…', description: 'The one-time token — shown only in this response (only its SHA-256 is stored)' })
  token: string;

  @ApiProperty({
    example: 'https://sb.example.com/v1/invitations/sbinv_…/accept',
    description: 'The route that accepts it (POST), from PUBLIC_BASE_URL; hand it to the invitee',
  })
  acceptUrl: string;
}

type InvitedTeam = MyInvitationView['team'];

export class InvitationTeamResponse implements InvitedTeam {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Support' }) name: string;
}

/** A pending invitation as the invitee sees it. */
export class MyInvitationResponse implements MyInvitationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: InvitationTeamResponse, description: 'The team you are invited to' }) team: InvitationTeamResponse;
  @ApiProperty({ example: 'ada@example.com' }) email: string;
  @ApiProperty({ enum: TEAM_ROLES, enumName: 'TeamRole', description: 'The role you get on accepting' }) role: TeamRole;
  @ApiProperty() expiresAt: Date;
  @ApiProperty() createdAt: Date;
}

export class AcceptedInvitationResponse implements AcceptedInvitation {
  @ApiProperty({ type: TeamResponse, description: 'The team you joined, with your role' }) team: TeamResponse;
  @ApiProperty({ type: MemberResponse, description: 'Your membership' }) member: MemberResponse;
  @ApiPropertyOptional({ type: TokenResponse, description: 'Only when this call created your account: you are signed in with it' })
  session?: TokenResponse;
}

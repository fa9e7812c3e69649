import { ApiProperty } from '@nestjs/swagger';
import { TEAM_ROLES, TeamRole } from '../../common/decorators';
import type { MemberView, TeamView } from '../teams.service';

export class TeamResponse implements TeamView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Support' }) name: string;
  @ApiProperty({ enum: TEAM_ROLES, enumName: 'TeamRole', description: 'Your role in this team' }) role: TeamRole;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class MemberResponse implements MemberView {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ example: 'ada@example.com' }) email: string;
  @ApiProperty({ type: String, nullable: true, example: 'Ada' }) name: string | null;
  @ApiProperty({ enum: TEAM_ROLES, enumName: 'TeamRole' }) role: TeamRole;
  @ApiProperty({ description: 'When the user joined the team' }) createdAt: Date;
}

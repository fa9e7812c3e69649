import { ApiProperty } from '@nestjs/swagger';
import { TEAM_ROLES, TeamRole } from '../../common/decorators';

export class MeTeamResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: TEAM_ROLES, enumName: 'TeamRole' }) role: TeamRole;
}

export class MeResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ type: [MeTeamResponse], description: 'Every team you belong to, with your role' }) teams: MeTeamResponse[];
}

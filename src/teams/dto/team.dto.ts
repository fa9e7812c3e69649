import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { TEAM_ROLES, TeamRole } from '../../common/decorators';

export class CreateTeamDto {
  @ApiProperty({ example: 'Support' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;
}

export class UpdateTeamDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;
}

export class UpdateMemberDto {
  @ApiProperty({ enum: TEAM_ROLES })
  @IsIn(TEAM_ROLES, { message: `role must be one of: ${TEAM_ROLES.join(', ')}` })
  role: TeamRole;
}

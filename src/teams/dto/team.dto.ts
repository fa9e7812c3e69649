import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
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

export class AddMemberDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;

  @ApiProperty({ enum: TEAM_ROLES })
  @IsIn(TEAM_ROLES, { message: `role must be one of: ${TEAM_ROLES.join(', ')}` })
  role: TeamRole;

  @ApiPropertyOptional({ description: 'Required when the email has no account yet; creates it.' })
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}

export class UpdateMemberDto {
  @ApiProperty({ enum: TEAM_ROLES })
  @IsIn(TEAM_ROLES, { message: `role must be one of: ${TEAM_ROLES.join(', ')}` })
  role: TeamRole;
}

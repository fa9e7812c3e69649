import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { TEAM_ROLES, TeamRole } from '../../common/decorators';

export class CreateInvitationDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320, { message: 'email must be at most 320 characters' })
  email: string;

  @ApiProperty({ enum: TEAM_ROLES, description: 'Only owners may invite owners.' })
  @IsIn(TEAM_ROLES, { message: `role must be one of: ${TEAM_ROLES.join(', ')}` })
  role: TeamRole;
}

export class AcceptInvitationDto {
  @ApiPropertyOptional({ description: 'Only without a bearer token, to create the account for the invited email.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ description: 'Only without a bearer token: the password of the new account (at least 8 characters).' })
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(1024)
  password?: string;
}

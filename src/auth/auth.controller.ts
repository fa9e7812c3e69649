import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { AuthUser, CurrentUser, Public } from '../common/decorators';
import { TeamsService } from '../teams/teams.service';
import { UsersService } from '../users/users.service';
import { NotFound } from '../common/errors';
import { AuthService } from './auth.service';
import { LoginThrottlerGuard } from './guards/login-throttler.guard';
import { LoginDto, TokenResponse } from './dto/login.dto';
import { MeResponse } from './dto/me-response.dto';

@ApiTags('auth')
@Controller('v1')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly teams: TeamsService,
  ) {}

  @Public()
  @UseGuards(LoginThrottlerGuard)
  @Post('auth/login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with email and password', description: 'Answers an access token (JWT) for `Authorization: Bearer …`. Rate-limited per address and email.' })
  @ApiOkResponse({ type: TokenResponse })
  @ApiErrors(400, [401, 'The email or password is incorrect'], 429)
  login(@Body() dto: LoginDto): Promise<TokenResponse> {
    return this.auth.login(dto.email, dto.password);
  }

  @ApiBearerAuth()
  @Get('me')
  @ApiOperation({ summary: 'Get the signed-in user and their teams' })
  @ApiOkResponse({ type: MeResponse })
  @ApiErrors(401, [404, 'The user no longer exists'])
  async me(@CurrentUser() current: AuthUser): Promise<MeResponse> {
    const user = await this.users.findById(current.id);
    if (!user) throw new NotFound('user');
    const memberships = await this.teams.membershipsOf(user.id);
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      createdAt: user.createdAt,
      teams: memberships.map((m) => ({ id: m.team.id, name: m.team.name, role: m.role })),
    };
  }
}

import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, Public } from '../common/decorators';
import { TeamsService } from '../teams/teams.service';
import { UsersService } from '../users/users.service';
import { NotFound } from '../common/errors';
import { AuthService } from './auth.service';
import { LoginThrottlerGuard } from './guards/login-throttler.guard';
import { LoginDto, TokenResponse } from './dto/login.dto';

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
  @ApiOkResponse({ type: TokenResponse })
  login(@Body() dto: LoginDto): Promise<TokenResponse> {
    return this.auth.login(dto.email, dto.password);
  }

  @ApiBearerAuth()
  @Get('me')
  async me(@CurrentUser() current: AuthUser): Promise<unknown> {
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

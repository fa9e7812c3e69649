import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthedRequest, IS_PUBLIC, ROLES, TeamRole } from '../../common/decorators';
import { Forbidden, NotFound } from '../../common/errors';
import { TeamsService } from '../../teams/teams.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Global, after the JWT guard. On any route with `:teamId`, the caller must belong to that team
 * (otherwise 404 — another team's existence is not revealed), and hold one of the @Roles (otherwise 403).
 */
@Injectable()
export class TeamAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly teams: TeamsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const teamId = req.params?.teamId;
    if (typeof teamId !== 'string') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    if (!req.user || !UUID.test(teamId)) throw new NotFound('team');
    const role = await this.teams.roleOf(teamId, req.user.id);
    if (!role) throw new NotFound('team');
    req.membership = { teamId, role };
    const allowed = this.reflector.getAllAndOverride<TeamRole[] | undefined>(ROLES, [context.getHandler(), context.getClass()]);
    if (allowed && !allowed.includes(role)) {
      throw new Forbidden(`this action needs the ${allowed.join(' or ')} role in this team (you are ${role})`);
    }
    return true;
  }
}

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyActor, ApiKeyScope, AuthedRequest, IS_PUBLIC, KEY_SCOPE, ROLES, TeamRole } from '../../common/decorators';
import { Forbidden, NotFound } from '../../common/errors';
import { TeamsService } from '../../teams/teams.service';
import { scopeCovers } from '../api-keys/api-keys.service';

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
    if (req.apiKey) return this.checkKey(context, req, req.apiKey, teamId);
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

  /**
   * An API key serves its own team only (another team: 404, as for non-members) and acts with the admin role within
   * its scopes: GET needs `read`, other methods `write`, routes marked @KeyScope('admin') `admin`; owner-only routes
   * are refused to keys.
   */
  private checkKey(context: ExecutionContext, req: AuthedRequest, key: ApiKeyActor, teamId: string): boolean {
    if (key.teamId !== teamId.toLowerCase()) throw new NotFound('team');
    const targets = [context.getHandler(), context.getClass()];
    const allowed = this.reflector.getAllAndOverride<TeamRole[] | undefined>(ROLES, targets);
    if (allowed && !allowed.includes('admin')) throw new Forbidden(`this action needs the ${allowed.join(' or ')} role; API keys cannot do it`);
    const marked = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(KEY_SCOPE, targets);
    const needed: ApiKeyScope = marked ?? (req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'write');
    if (!scopeCovers(key.scopes, needed)) throw new Forbidden(`this action needs an API key with the ${needed} scope (this key has: ${key.scopes.join(', ')})`);
    req.membership = { teamId: key.teamId, role: 'admin' };
    return true;
  }
}

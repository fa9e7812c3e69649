import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Request } from 'express';

export const IS_PUBLIC = 'switchboard:isPublic';
/**
 * Marks a route as reachable without a JWT (login, health, inbound platform webhooks). Its OpenAPI operation gets
 * `security: []` (src/openapi/openapi.ts reads the `x-public` extension).
 */
export const Public = (): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension('x-public', true));
export const AUTH_OPTIONAL = 'switchboard:authOptional';
/** The route also serves callers without a JWT; a bearer token, when sent, must still be valid (accepting an invitation). */
export const OptionalAuth = (): MethodDecorator & ClassDecorator => SetMetadata(AUTH_OPTIONAL, true);

export type TeamRole = 'owner' | 'admin' | 'member';
export const TEAM_ROLES: TeamRole[] = ['owner', 'admin', 'member'];
export const ROLES = 'switchboard:roles';
/** Team roles allowed on a route under /teams/:teamId (default: any member). */
export const Roles = (...roles: TeamRole[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES, roles);
/** Shorthand for the write routes: owners and admins. */
export const TeamWrite = (): MethodDecorator & ClassDecorator => Roles('owner', 'admin');

export type ApiKeyScope = 'read' | 'write' | 'admin';
export const API_KEY_SCOPES: ApiKeyScope[] = ['read', 'write', 'admin'];
export const KEY_SCOPE = 'switchboard:keyScope';
/**
 * The API key scope a route needs. Without it: `read` for GET/HEAD, `write` for every other method. `admin` marks key
 * management, member and role changes, invitations and the audit log. Scopes include the lower ones (admin ⊇ write ⊇ read).
 */
export const KeyScope = (scope: ApiKeyScope): MethodDecorator & ClassDecorator => SetMetadata(KEY_SCOPE, scope);

/** The caller when it authenticated with an API key (`Authorization: Bearer sb_…`) instead of a user's token. */
export interface ApiKeyActor {
  keyId: string;
  teamId: string;
  scopes: ApiKeyScope[];
}

export interface AuthUser {
  id: string;
  email: string;
}
export interface TeamMembershipContext {
  teamId: string;
  role: TeamRole;
}
export type AuthedRequest = Request & { user?: AuthUser; apiKey?: ApiKeyActor; membership?: TeamMembershipContext; id?: string };

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  return req.user as AuthUser;
});

export const CurrentMembership = createParamDecorator((_: unknown, ctx: ExecutionContext): TeamMembershipContext => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  return req.membership as TeamMembershipContext;
});

/** The id of whoever calls: the user's, or the API key's when the request came with a key. */
export const CurrentActorId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  return (req.apiKey?.keyId ?? req.user?.id) as string;
});

import { randomUUID } from 'node:crypto';
import { TestApp } from '../utils/test-app';
import { AdminBootstrapService } from '../../src/auth/admin-bootstrap.service';

export interface Actor {
  userId: string;
  email: string;
  password: string;
  token: string;
  auth: { Authorization: string };
}

export async function login(t: TestApp, email: string, password: string): Promise<Actor> {
  const res = await t.http().post('/v1/auth/login').send({ email, password }).expect(200);
  const token = res.body.accessToken as string;
  const me = await t.http().get('/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
  return { userId: me.body.id, email, password, token, auth: { Authorization: `Bearer ${token}` } };
}

/** A new user who owns a new team. */
export async function ownerWithTeam(t: TestApp, teamName = 'Team'): Promise<Actor & { teamId: string }> {
  const email = `owner-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'owner-password-1';
  const r = await t.app.get(AdminBootstrapService).createAdmin(email, password, teamName);
  const actor = await login(t, email, password);
  return { ...actor, teamId: r.teamId as string };
}

/** Invites `email` (as `inviter`, through the API) and returns the one-time token. */
export async function invite(t: TestApp, inviter: Actor, teamId: string, email: string, role: 'owner' | 'admin' | 'member'): Promise<string> {
  const res = await t.http().post(`/v1/teams/${teamId}/members`).set(inviter.auth).send({ email, role }).expect(201);
  return res.body.token as string;
}

/** A new user with `role` in the team: invited by `owner`, accepted by creating the account, then logged in. */
export async function memberOf(t: TestApp, owner: Actor, teamId: string, role: 'owner' | 'admin' | 'member'): Promise<Actor> {
  const email = `${role}-${randomUUID().slice(0, 8)}@example.com`;
  const password = `${role}-password-1`;
  const token = await invite(t, owner, teamId, email, role);
  await t.http().post(`/v1/invitations/${token}/accept`).send({ password }).expect(201);
  return login(t, email, password);
}

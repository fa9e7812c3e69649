import { randomUUID } from 'node:crypto';
import { TestApp } from '../utils/test-app';
import { AdminBootstrapService } from '../../src/auth/bootstrap-admin.service';

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

/** Adds a new user with `role` to the team (through the API, as `owner`) and logs them in. */
export async function memberOf(t: TestApp, owner: Actor, teamId: string, role: 'owner' | 'admin' | 'member'): Promise<Actor> {
  const email = `${role}-${randomUUID().slice(0, 8)}@example.com`;
  const password = `${role}-password-1`;
  await t.http().post(`/v1/teams/${teamId}/members`).set(owner.auth).send({ email, password, role }).expect(201);
  return login(t, email, password);
}

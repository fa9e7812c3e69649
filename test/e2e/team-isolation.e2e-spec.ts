import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../utils/test-app';
import { listRoutes } from '../utils/routes';
import { Actor, memberOf, ownerWithTeam } from '../factories/users';

/**
 * A member of team A must get 404 on every route of team B — whatever the role in A, whatever the method.
 * The routes come from the running app, so a route added later is covered without touching this file.
 */
describe('team isolation (e2e)', () => {
  let t: TestApp;
  let a: Actor & { teamId: string };
  let aAdmin: Actor;
  let b: Actor & { teamId: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    a = await ownerWithTeam(t, 'Team A');
    aAdmin = await memberOf(t, a, a.teamId, 'admin');
    b = await ownerWithTeam(t, 'Team B');
    const bMember = await memberOf(t, b, b.teamId, 'member');
    const agent = await t.http().post(`/v1/teams/${b.teamId}/agents`).set(b.auth).send({ name: 'B agent' }).expect(201);
    ids.teamId = b.teamId;
    ids.userId = bMember.userId;
    ids.agentId = agent.body.id;
    const inv = await t.http().post(`/v1/teams/${b.teamId}/members`).set(b.auth).send({ email: 'pending@example.com', role: 'member' }).expect(201);
    ids.invitationId = inv.body.id;
  });
  afterAll(() => t.close());

  const teamRoutes = (): { method: string; path: string }[] => listRoutes(t.app).filter((r) => r.path.includes(':teamId'));

  it('finds the team-scoped routes it is about to check', () => {
    const paths = teamRoutes().map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /v1/teams/:teamId',
        'PATCH /v1/teams/:teamId',
        'DELETE /v1/teams/:teamId',
        'GET /v1/teams/:teamId/members',
        'POST /v1/teams/:teamId/members',
        'GET /v1/teams/:teamId/invitations',
        'DELETE /v1/teams/:teamId/invitations/:invitationId',
        'GET /v1/teams/:teamId/agents/:agentId',
        'DELETE /v1/teams/:teamId/agents/:agentId',
      ]),
    );
  });

  it.each([
    ['owner', () => a],
    ['admin', () => aAdmin],
  ])('a team-A %s gets 404 on every team-B route and changes nothing', async (_role, who) => {
    const actor = who();
    const routes = teamRoutes();
    expect(routes.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const r of routes) {
      // real ids of team B's rows where the route names them; a random UUID for params not seeded here
      const url = r.path.replace(/:(\w+)/g, (_m, name: string) => ids[name] ?? randomUUID());
      const req = t.http()[r.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete'](url).set(actor.auth);
      const res = await (r.method === 'GET' || r.method === 'DELETE' ? req : req.send({}));
      if (res.status !== 404) failures.push(`${r.method} ${url} → ${res.status}`);
      else expect(res.body.message).toMatch(/not found/);
    }
    expect(failures).toEqual([]);
    // team B is untouched
    await t.http().get(`/v1/teams/${b.teamId}`).set(b.auth).expect(200);
    await t.http().get(`/v1/teams/${b.teamId}/agents/${ids.agentId}`).set(b.auth).expect(200);
    await t.http().get(`/v1/teams/${b.teamId}/members/${ids.userId}`).set(b.auth).expect(200);
    const pending = await t.http().get(`/v1/teams/${b.teamId}/invitations`).set(b.auth).expect(200);
    expect(pending.body.data.map((i: { id: string }) => i.id)).toEqual([ids.invitationId]);
  });

  it('an unknown or malformed team id is 404 too', async () => {
    await t.http().get(`/v1/teams/${randomUUID()}`).set(a.auth).expect(404);
    await t.http().get('/v1/teams/not-a-uuid/agents').set(a.auth).expect(404);
  });

  it('team-B rows do not leak into team-A lists', async () => {
    const agents = await t.http().get(`/v1/teams/${a.teamId}/agents`).set(a.auth).expect(200);
    expect(agents.body.data).toEqual([]);
    const me = await t.http().get('/v1/me').set(a.auth).expect(200);
    expect(me.body.teams.map((x: { id: string }) => x.id)).toEqual([a.teamId]);
  });
});

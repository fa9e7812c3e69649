import { createTestApp, TestApp } from '../utils/test-app';
import { Actor, memberOf, ownerWithTeam } from '../factories/users';

describe('teams, members and agents (e2e)', () => {
  let t: TestApp;
  let owner: Actor & { teamId: string };
  let admin: Actor;
  let member: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await ownerWithTeam(t, 'Acme');
    admin = await memberOf(t, owner, owner.teamId, 'admin');
    member = await memberOf(t, owner, owner.teamId, 'member');
  });
  afterAll(() => t.close());

  describe('teams', () => {
    it('any user creates a team and becomes its owner; lists show only own teams', async () => {
      const created = await t.http().post('/v1/teams').set(member.auth).send({ name: 'Side project' }).expect(201);
      expect(created.body).toMatchObject({ id: expect.any(String), name: 'Side project', role: 'owner' });
      const list = await t.http().get('/v1/teams').set(member.auth).expect(200);
      expect(list.body.data.map((x: { name: string }) => x.name).sort()).toEqual(['Acme', 'Side project']);
      const ownerList = await t.http().get('/v1/teams').set(owner.auth).expect(200);
      expect(ownerList.body.data.map((x: { name: string }) => x.name)).toEqual(['Acme']);
    });

    it('paginates with limit and cursor', async () => {
      for (const n of ['p1', 'p2', 'p3']) await t.http().post('/v1/teams').set(admin.auth).send({ name: n }).expect(201);
      const first = await t.http().get('/v1/teams?limit=2').set(admin.auth).expect(200);
      expect(first.body.data).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t.http().get(`/v1/teams?limit=2&cursor=${first.body.nextCursor}`).set(admin.auth).expect(200);
      const names = [...first.body.data, ...second.body.data].map((x: { name: string }) => x.name);
      expect(new Set(names).size).toBe(names.length);
      expect(names).toEqual(expect.arrayContaining(['p1', 'p2', 'p3', 'Acme']));
      await t.http().get('/v1/teams?limit=500').set(admin.auth).expect(400);
      const bad = await t.http().get('/v1/teams?cursor=garbage').set(admin.auth).expect(400);
      expect(bad.body.message).toContain('cursor');
    });

    it('owners and admins rename; members get 403; only owners delete', async () => {
      const denied = await t.http().patch(`/v1/teams/${owner.teamId}`).set(member.auth).send({ name: 'X' }).expect(403);
      expect(denied.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
      const r = await t.http().patch(`/v1/teams/${owner.teamId}`).set(admin.auth).send({ name: 'Acme Inc' }).expect(200);
      expect(r.body.name).toBe('Acme Inc');
      await t.http().delete(`/v1/teams/${owner.teamId}`).set(admin.auth).expect(403);
      const temp = await t.http().post('/v1/teams').set(owner.auth).send({ name: 'Temp' }).expect(201);
      await t.http().delete(`/v1/teams/${temp.body.id}`).set(owner.auth).expect(204);
      const gone = await t.http().get(`/v1/teams/${temp.body.id}`).set(owner.auth).expect(404);
      expect(gone.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    });

    it('validation errors name the field', async () => {
      const res = await t.http().post('/v1/teams').set(owner.auth).send({ name: '' }).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED', requestId: expect.any(String) });
      expect(res.body.details[0].field).toBe('name');
      expect(res.body.message).toContain('name');
    });
  });

  describe('members', () => {
    it('lists members with roles; members can read', async () => {
      const res = await t.http().get(`/v1/teams/${owner.teamId}/members`).set(member.auth).expect(200);
      const roles = Object.fromEntries(res.body.data.map((m: { email: string; role: string }) => [m.email, m.role]));
      expect(roles).toMatchObject({ [owner.email]: 'owner', [admin.email]: 'admin', [member.email]: 'member' });
      expect(JSON.stringify(res.body)).not.toMatch(/password/i);
    });

    it('POST members invites: the user joins only by accepting; passwords are no longer taken; members cannot invite', async () => {
      const other = await ownerWithTeam(t, 'Other');
      const members = `/v1/teams/${owner.teamId}/members`;
      const inv = await t.http().post(members).set(admin.auth).send({ email: other.email, role: 'member' }).expect(201);
      expect(inv.body).toMatchObject({ email: other.email, role: 'member', token: expect.any(String) });
      expect(inv.body).not.toHaveProperty('userId');
      await t.http().get(`${members}/${other.userId}`).set(admin.auth).expect(404);
      await t.http().post(`/v1/invitations/${inv.body.token}/accept`).set(other.auth).expect(201);
      const joined = await t.http().get(`${members}/${other.userId}`).set(admin.auth).expect(200);
      expect(joined.body).toMatchObject({ userId: other.userId, role: 'member' });
      const dup = await t.http().post(members).set(admin.auth).send({ email: other.email, role: 'member' }).expect(409);
      expect(dup.body.message).toContain('already a member');
      expect(dup.body.code).toBe('CONFLICT');
      const withPw = await t.http().post(members).set(admin.auth).send({ email: 'new@example.com', role: 'member', password: 'long-enough-1' }).expect(400);
      expect(withPw.body.details[0].field).toBe('password');
      const badRole = await t.http().post(members).set(admin.auth).send({ email: 'new@example.com', role: 'boss' }).expect(400);
      expect(badRole.body.message).toContain('role must be one of');
      await t.http().post(members).set(member.auth).send({ email: 'x@example.com', role: 'member' }).expect(403);
    });

    it('admins cannot create or touch owners; the last owner cannot leave or be demoted', async () => {
      await t.http().post(`/v1/teams/${owner.teamId}/members`).set(admin.auth).send({ email: 'o2@example.com', role: 'owner' }).expect(403);
      await t.http().patch(`/v1/teams/${owner.teamId}/members/${owner.userId}`).set(admin.auth).send({ role: 'member' }).expect(403);
      const demote = await t.http().patch(`/v1/teams/${owner.teamId}/members/${owner.userId}`).set(owner.auth).send({ role: 'admin' }).expect(409);
      expect(demote.body.message).toContain('at least one owner');
      await t.http().delete(`/v1/teams/${owner.teamId}/members/${owner.userId}`).set(owner.auth).expect(409);
      // with a second owner, the first may leave
      const second = await memberOf(t, owner, owner.teamId, 'owner');
      await t.http().delete(`/v1/teams/${owner.teamId}/members/${owner.userId}`).set(second.auth).expect(204);
      await t.http().get(`/v1/teams/${owner.teamId}`).set(owner.auth).expect(404);
      const back = await t.http().post(`/v1/teams/${owner.teamId}/members`).set(second.auth).send({ email: owner.email, role: 'owner' }).expect(201);
      await t.http().post(`/v1/invitations/${back.body.token}/accept`).set(owner.auth).expect(201);
      await t.http().get(`/v1/teams/${owner.teamId}`).set(owner.auth).expect(200);
    });

    it('changes a role and removes a member', async () => {
      const m = await memberOf(t, owner, owner.teamId, 'member');
      const up = await t.http().patch(`/v1/teams/${owner.teamId}/members/${m.userId}`).set(admin.auth).send({ role: 'admin' }).expect(200);
      expect(up.body.role).toBe('admin');
      await t.http().delete(`/v1/teams/${owner.teamId}/members/${m.userId}`).set(admin.auth).expect(204);
      await t.http().get(`/v1/teams/${owner.teamId}/members/${m.userId}`).set(admin.auth).expect(404);
    });
  });

  describe('agents', () => {
    const agents = (): string => `/v1/teams/${owner.teamId}/agents`;

    it('creates with a generated unique slug and the echo runtime by default', async () => {
      const a = await t.http().post(agents()).set(admin.auth).send({ name: 'Support Bot!' }).expect(201);
      expect(a.body).toMatchObject({ name: 'Support Bot!', slug: 'support-bot', status: 'active', runtime: { type: 'echo' }, teamId: owner.teamId });
      const b = await t.http().post(agents()).set(admin.auth).send({ name: 'Support bot' }).expect(201);
      expect(b.body.slug).toBe('support-bot-2');
      const clash = await t.http().post(agents()).set(admin.auth).send({ name: 'X', slug: 'support-bot' }).expect(409);
      expect(clash.body.message).toContain('support-bot');
    });

    it('rejects bad fields by name, and members cannot write', async () => {
      const res = await t.http().post(agents()).set(admin.auth).send({ name: 'A', status: 'sleeping' }).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['status']);
      const rt = await t.http().post(agents()).set(admin.auth).send({ name: 'A', runtime: { type: 'gpt' } }).expect(400);
      expect(rt.body.details).toEqual([{ field: 'runtime.type', messages: ['runtime.type must be one of: echo, openai, http'] }]);
      const extra = await t.http().post(agents()).set(admin.auth).send({ name: 'A', runtime: { type: 'echo', model: 'x' } }).expect(400);
      expect(extra.body.details[0].field).toBe('runtime.model');
      await t.http().post(agents()).set(member.auth).send({ name: 'A' }).expect(403);
    });

    it('reads, lists with a status filter, updates and deletes', async () => {
      const a = await t.http().post(agents()).set(owner.auth).send({ name: 'Lifecycle', description: 'd' }).expect(201);
      await t.http().get(`${agents()}/${a.body.id}`).set(member.auth).expect(200);
      const paused = await t.http().patch(`${agents()}/${a.body.id}`).set(admin.auth).send({ status: 'paused' }).expect(200);
      expect(paused.body.status).toBe('paused');
      const list = await t.http().get(`${agents()}?status=paused`).set(member.auth).expect(200);
      expect(list.body.data.map((x: { id: string }) => x.id)).toEqual([a.body.id]);
      await t.http().delete(`${agents()}/${a.body.id}`).set(member.auth).expect(403);
      await t.http().delete(`${agents()}/${a.body.id}`).set(admin.auth).expect(204);
      await t.http().get(`${agents()}/${a.body.id}`).set(admin.auth).expect(404);
      await t.http().get(`${agents()}/not-a-uuid`).set(admin.auth).expect(404);
    });
  });
});

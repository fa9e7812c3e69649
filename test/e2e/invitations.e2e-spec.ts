import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LOG_DESTINATION } from '../../src/logging/logging.module';
import { Actor, login, memberOf, ownerWithTeam } from '../factories/users';
import { LogCapture } from '../utils/log-capture';
import { createTestApp, TestApp } from '../utils/test-app';
import { TestClock } from '../utils/test-clock';

type Role = 'owner' | 'admin' | 'member';

describe('team invitations (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let logs: LogCapture;
  let owner: Actor & { teamId: string };
  let admin: Actor;
  let member: Actor;
  const tokens: string[] = [];

  const members = (): string => `/v1/teams/${owner.teamId}/members`;
  const invitations = (): string => `/v1/teams/${owner.teamId}/invitations`;
  const newEmail = (): string => `invitee-${randomUUID().slice(0, 8)}@example.com`;
  const inviteAs = async (who: Actor, email: string, role: Role, status = 201) => {
    const res = await t.http().post(members()).set(who.auth).send({ email, role }).expect(status);
    if (res.body.token) tokens.push(res.body.token);
    return res;
  };
  const accept = (token: string, auth?: { Authorization: string }, body?: object) => {
    const req = t.http().post(`/v1/invitations/${token}/accept`);
    if (auth) req.set(auth);
    return body ? req.send(body) : req.send();
  };
  /** The answer to a token nobody was ever given: every unusable token must look exactly like it. */
  const unknownTokenAnswer = async () => {
    const res = await accept(`sbinv_${'A'.repeat(43)}`).expect(404);
    return { statusCode: res.body.statusCode, error: res.body.error, message: res.body.message };
  };
  const expectLikeUnknownToken = async (res: { status: number; body: Record<string, unknown> }) => {
    expect(res.status).toBe(404);
    expect({ statusCode: res.body.statusCode, error: res.body.error, message: res.body.message }).toEqual(await unknownTokenAnswer());
  };
  const pendingIds = async (): Promise<string[]> =>
    (await t.http().get(invitations()).set(admin.auth).expect(200)).body.data.map((i: { id: string }) => i.id);

  const clock = new TestClock();
  beforeAll(async () => {
    logs = new LogCapture();
    t = await createTestApp({
      clock,
      env: { PUBLIC_BASE_URL: 'https://sb.example.com', INVITATION_TTL_HOURS: '48', LOG_LEVEL: 'trace' },
      override: (b) => b.overrideProvider(LOG_DESTINATION).useValue(logs),
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Acme');
    admin = await memberOf(t, owner, owner.teamId, 'admin');
    member = await memberOf(t, owner, owner.teamId, 'member');
  });
  afterAll(() => t.close());

  it('a new email: the invitation carries a one-time token and accept URL; accepting with {name, password} creates the account, joins, signs in', async () => {
    const email = newEmail();
    const before = Date.now();
    const inv = await inviteAs(admin, email.toUpperCase(), 'admin');
    expect(Object.keys(inv.body).sort()).toEqual(['acceptUrl', 'createdAt', 'email', 'expiresAt', 'id', 'invitedById', 'role', 'teamId', 'token']);
    expect(inv.body).toMatchObject({ email, role: 'admin', teamId: owner.teamId, invitedById: admin.userId });
    expect(inv.body.token).toMatch(/^sbinv_[A-Za-z0-9_-]{43}$/);
    expect(inv.body.acceptUrl).toBe(`https://sb.example.com/v1/invitations/${inv.body.token}/accept`);
    const ttl = Date.parse(inv.body.expiresAt) - before;
    expect(ttl).toBeGreaterThan(48 * 3600_000 - 60_000);
    expect(ttl).toBeLessThan(48 * 3600_000 + 60_000);
    // nobody was created or added by the invite itself
    await t.http().post('/v1/auth/login').send({ email, password: 'ada-password-1' }).expect(401);
    expect(await pendingIds()).toContain(inv.body.id);

    const res = await accept(inv.body.token, undefined, { name: 'Ada', password: 'ada-password-1' }).expect(201);
    expect(res.body.team).toMatchObject({ id: owner.teamId, name: 'Acme', role: 'admin' });
    expect(res.body.member).toMatchObject({ email, name: 'Ada', role: 'admin' });
    const me = await t.http().get('/v1/me').set('Authorization', `Bearer ${res.body.session.accessToken}`).expect(200);
    expect(me.body).toMatchObject({ email, teams: [{ id: owner.teamId, role: 'admin' }] });
    const ada = await login(t, email, 'ada-password-1');
    expect(ada.userId).toBe(res.body.member.userId);
    expect(await pendingIds()).not.toContain(inv.body.id);
  });

  it('an existing account sees the invitation in GET /v1/me/invitations and accepts signed in (no body, no new session)', async () => {
    const other = await ownerWithTeam(t, 'Other');
    const inv = await inviteAs(owner, other.email, 'member');
    const mine = await t.http().get('/v1/me/invitations').set(other.auth).expect(200);
    expect(mine.body).toEqual({
      data: [{ id: inv.body.id, team: { id: owner.teamId, name: 'Acme' }, email: other.email, role: 'member', expiresAt: inv.body.expiresAt, createdAt: inv.body.createdAt }],
      nextCursor: null,
    });
    // someone else's list does not show it
    expect((await t.http().get('/v1/me/invitations').set(member.auth).expect(200)).body.data).toEqual([]);

    const res = await accept(inv.body.token, other.auth).expect(201);
    expect(res.body).not.toHaveProperty('session');
    expect(res.body.member).toMatchObject({ userId: other.userId, role: 'member' });
    await t.http().get(`${members()}/${other.userId}`).set(member.auth).expect(200);
    expect((await t.http().get('/v1/me/invitations').set(other.auth).expect(200)).body.data).toEqual([]);
  });

  it('no account oracle: inviting a known and an unknown email answers identically, and adds nobody', async () => {
    const known = await ownerWithTeam(t, 'Known');
    const unknown = newEmail();
    const a = await inviteAs(admin, known.email, 'member');
    const b = await inviteAs(admin, unknown, 'member');
    const shape = (r: { status: number; body: Record<string, unknown> }) => ({
      status: r.status,
      body: { ...r.body, id: 'ID', email: 'EMAIL', token: 'TOKEN', acceptUrl: String(r.body.acceptUrl).replace(String(r.body.token), 'TOKEN'), expiresAt: 'T', createdAt: 'T' },
    });
    expect(shape(a)).toEqual(shape(b));
    expect(a.headers['content-type']).toBe(b.headers['content-type']);
    // inviting again (replacing) answers the same way too
    expect(shape(await inviteAs(admin, known.email, 'member'))).toEqual(shape(await inviteAs(admin, unknown, 'member')));
    const list = await t.http().get(members()).set(admin.auth).expect(200);
    expect(list.body.data.map((m: { email: string }) => m.email)).not.toContain(known.email);
    expect(list.body.data.map((m: { email: string }) => m.email)).not.toContain(unknown);
  });

  it('tokens are stored only as their SHA-256 and work once', async () => {
    const email = newEmail();
    const inv = await inviteAs(owner, email, 'member');
    const [row] = await ds.query(`SELECT token_hash, row_to_json(i)::text AS whole FROM invitation i WHERE id = $1`, [inv.body.id]);
    expect(row.token_hash).toBe(createHash('sha256').update(inv.body.token).digest('hex'));
    expect(row.whole).not.toContain(inv.body.token);
    expect(row.whole).not.toContain(inv.body.token.slice(6));
    const listed = await t.http().get(invitations()).set(owner.auth).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(inv.body.token);
    expect(listed.body.data.find((i: { id: string }) => i.id === inv.body.id)).not.toHaveProperty('token');

    await accept(inv.body.token, undefined, { password: 'first-password-1' }).expect(201);
    await expectLikeUnknownToken(await accept(inv.body.token, undefined, { password: 'second-password-1' }));
    const invitee = await login(t, email, 'first-password-1');
    await expectLikeUnknownToken(await accept(inv.body.token, invitee.auth));
    await t.http().post('/v1/auth/login').send({ email, password: 'second-password-1' }).expect(401);
  });

  it('concurrent use: one of two simultaneous accepts wins; simultaneous invites leave one pending invitation', async () => {
    const email = newEmail();
    const inv = await inviteAs(owner, email, 'member');
    const both = await Promise.all([
      accept(inv.body.token, undefined, { password: 'racer-one-password' }),
      accept(inv.body.token, undefined, { password: 'racer-two-password' }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 404]);
    const [{ count }] = await ds.query(`SELECT count(*)::int AS count FROM team_member m JOIN "user" u ON u.id = m.user_id WHERE u.email = $1`, [email]);
    expect(count).toBe(1);

    const again = newEmail();
    const invites = await Promise.all([1, 2, 3].map(() => inviteAs(owner, again, 'member')));
    expect(invites.map((r) => r.status)).toEqual([201, 201, 201]);
    const open = await ds.query(`SELECT id FROM invitation WHERE email = $1 AND accepted_at IS NULL AND revoked_at IS NULL`, [again]);
    expect(open).toHaveLength(1);
  });

  it('an expired token answers like an unknown one and is no longer pending', async () => {
    const other = await ownerWithTeam(t, 'Late');
    const inv = await inviteAs(owner, other.email, 'member');
    clock.advance(47 * 3_600_000); // INVITATION_TTL_HOURS=48: an hour left, still valid (control)
    try {
      expect(await pendingIds()).toContain(inv.body.id);
      clock.advance(3_600_000 + 1000);
      await expectLikeUnknownToken(await accept(inv.body.token, other.auth));
      expect(await pendingIds()).not.toContain(inv.body.id);
      expect((await t.http().get('/v1/me/invitations').set(other.auth).expect(200)).body.data).toEqual([]);
      await t.http().delete(`${invitations()}/${inv.body.id}`).set(owner.auth).expect(404);
      await t.http().get(`${members()}/${other.userId}`).set(owner.auth).expect(404);
    } finally {
      clock.reset();
    }
  });

  it('revoking: owners and admins revoke pending invitations, only owners an owner invitation; the token then answers like an unknown one', async () => {
    const inv = await inviteAs(admin, newEmail(), 'member');
    await t.http().delete(`${invitations()}/${inv.body.id}`).set(member.auth).expect(403);
    await t.http().delete(`${invitations()}/${inv.body.id}`).set(admin.auth).expect(204);
    await t.http().delete(`${invitations()}/${inv.body.id}`).set(admin.auth).expect(404);
    await expectLikeUnknownToken(await accept(inv.body.token, undefined, { password: 'some-password-1' }));
    expect(await pendingIds()).not.toContain(inv.body.id);

    const ownerInv = await inviteAs(owner, newEmail(), 'owner');
    const denied = await t.http().delete(`${invitations()}/${ownerInv.body.id}`).set(admin.auth).expect(403);
    expect(denied.body.message).toContain('only an owner');
    await t.http().delete(`${invitations()}/${ownerInv.body.id}`).set(owner.auth).expect(204);
    await t.http().delete(`${invitations()}/${randomUUID()}`).set(owner.auth).expect(404);
  });

  it('inviting a pending email again replaces the invitation: the old token dies, the new one works', async () => {
    const email = newEmail();
    const first = await inviteAs(admin, email, 'member');
    const second = await inviteAs(admin, email, 'admin');
    expect(second.body.id).not.toBe(first.body.id);
    const pending = await t.http().get(invitations()).set(admin.auth).expect(200);
    expect(pending.body.data.filter((i: { email: string }) => i.email === email).map((i: { id: string }) => i.id)).toEqual([second.body.id]);
    await expectLikeUnknownToken(await accept(first.body.token, undefined, { password: 'replaced-password-1' }));
    const res = await accept(second.body.token, undefined, { password: 'replaced-password-1' }).expect(201);
    expect(res.body.member.role).toBe('admin');
    // an admin may not replace an owner's invitation (that would downgrade or kill it)
    const ownerEmail = newEmail();
    await inviteAs(owner, ownerEmail, 'owner');
    await inviteAs(admin, ownerEmail, 'member', 403);
  });

  it('a token used by someone signed in with another email answers like an unknown one and stays usable', async () => {
    const invitee = await ownerWithTeam(t, 'Invitee');
    const stranger = await ownerWithTeam(t, 'Stranger');
    const inv = await inviteAs(owner, invitee.email, 'member');
    await expectLikeUnknownToken(await accept(inv.body.token, stranger.auth));
    await t.http().get(`/v1/teams/${owner.teamId}`).set(stranger.auth).expect(404);
    await accept(inv.body.token, invitee.auth).expect(201);
  });

  it('an existing account is never taken over by accepting without signing in', async () => {
    const victim = await ownerWithTeam(t, 'Victim');
    const inv = await inviteAs(owner, victim.email, 'member');
    const noBody = await accept(inv.body.token).expect(401);
    const takeover = await accept(inv.body.token, undefined, { name: 'Mallory', password: 'attacker-password-1' }).expect(401);
    expect(takeover.body.message).toBe(noBody.body.message);
    expect(takeover.body.message).toContain('sign in as the invited email');
    // without a password a new email gets the very same answer
    const fresh = await inviteAs(owner, newEmail(), 'member');
    expect((await accept(fresh.body.token).expect(401)).body).toMatchObject({ message: noBody.body.message });
    await t.http().post('/v1/auth/login').send({ email: victim.email, password: 'attacker-password-1' }).expect(401);
    const me = await t.http().get('/v1/me').set((await login(t, victim.email, victim.password)).auth).expect(200);
    expect(me.body.name).toBeNull();
    expect(me.body.teams.map((x: { id: string }) => x.id)).toEqual([victim.teamId]);
    expect(await pendingIds()).toContain(inv.body.id);
    await accept(inv.body.token, victim.auth).expect(201);
  });

  it('role rules: only owners invite owners; members cannot invite or list; an owner invitation makes an owner', async () => {
    const denied = await t.http().post(members()).set(admin.auth).send({ email: newEmail(), role: 'owner' }).expect(403);
    expect(denied.body.message).toContain('only an owner can invite an owner');
    await t.http().post(members()).set(member.auth).send({ email: newEmail(), role: 'member' }).expect(403);
    await t.http().get(invitations()).set(member.auth).expect(403);
    const admin2 = await inviteAs(admin, newEmail(), 'admin');
    expect(admin2.body.role).toBe('admin');
    const email = newEmail();
    const inv = await inviteAs(owner, email, 'owner');
    const res = await accept(inv.body.token, undefined, { password: 'new-owner-password-1' }).expect(201);
    expect(res.body.member.role).toBe('owner');
    const newOwner = await login(t, email, 'new-owner-password-1');
    await t.http().patch(`${members()}/${owner.userId}`).set(newOwner.auth).send({ role: 'owner' }).expect(200);
    // someone already in the team: 409 (owners and admins see the member list anyway)
    const dup = await t.http().post(members()).set(admin.auth).send({ email: member.email, role: 'admin' }).expect(409);
    expect(dup.body.message).toContain('already a member');
  });

  it('bad input is a 4xx naming the field; a bad bearer token is 401, not anonymous', async () => {
    const badEmail = await t.http().post(members()).set(admin.auth).send({ email: 'nope', role: 'member' }).expect(400);
    expect(badEmail.body.details[0].field).toBe('email');
    const inv = await inviteAs(admin, newEmail(), 'member');
    const short = await accept(inv.body.token, undefined, { password: 'short' }).expect(400);
    expect(short.body.details[0].field).toBe('password');
    const signedInWithPw = await accept(inv.body.token, member.auth, { password: 'long-enough-1' }).expect(400);
    expect(signedInWithPw.body.details[0].field).toBe('password');
    await accept(inv.body.token, { Authorization: 'Bearer not-a-jwt' }, { password: 'long-enough-1' }).expect(401);
    await expectLikeUnknownToken(await accept('not-a-token', undefined, { password: 'long-enough-1' }));
    // none of that consumed it
    await accept(inv.body.token, undefined, { password: 'long-enough-1' }).expect(201);
  });

  it('request logs never contain an invitation token', async () => {
    expect(tokens.length).toBeGreaterThan(10);
    const text = logs.text();
    expect(text).toContain('/v1/invitations/[redacted]/accept');
    for (const token of tokens) expect(text).not.toContain(token.slice(6));
  });
});

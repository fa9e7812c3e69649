import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Actor, memberOf, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { TestClock } from '../utils/test-clock';

type Scope = 'read' | 'write' | 'admin';
const RATE_LIMIT = 20;

describe('API keys (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let other: Actor & { teamId: string };
  let member: Actor;

  const team = (): string => `/v1/teams/${owner.teamId}`;
  const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
  const createKey = async (scopes: Scope[], extra: object = {}, as: Actor = owner): Promise<{ id: string; key: string; prefix: string }> =>
    (await t.http().post(`${team()}/api-keys`).set(as.auth).send({ name: `key ${scopes.join('+')}`, scopes, ...extra }).expect(201)).body;

  const clock = new TestClock();
  beforeAll(async () => {
    t = await createTestApp({ clock, env: { API_KEY_RATE_LIMIT: String(RATE_LIMIT) } });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Acme');
    other = await ownerWithTeam(t, 'Other');
    member = await memberOf(t, owner, owner.teamId, 'member');
  });
  afterAll(() => t.close());

  it('the key is shown once, stored as its SHA-256 with a short display prefix, and never listed', async () => {
    const created = await createKey(['read'], { name: 'CI' });
    expect(created).toMatchObject({ name: 'CI', scopes: ['read'], teamId: owner.teamId, createdById: owner.userId, expiresAt: null, lastUsedAt: null, revokedAt: null });
    expect(created.key).toMatch(/^sb_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.key.slice(0, 11));
    const [row] = (await ds.query('SELECT key_hash, prefix FROM api_key WHERE id = $1', [created.id])) as { key_hash: string; prefix: string }[];
    expect(row.key_hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    const dump = JSON.stringify(await ds.query('SELECT * FROM api_key WHERE id = $1', [created.id]));
    expect(dump).not.toContain(created.key.slice(11));
    const list = await t.http().get(`${team()}/api-keys`).set(owner.auth).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(created.key.slice(11));
    expect(list.body.data.find((k: { id: string }) => k.id === created.id)).not.toHaveProperty('key');
    const one = await t.http().get(`${team()}/api-keys/${created.id}`).set(owner.auth).expect(200);
    expect(one.body).not.toHaveProperty('key');
  });

  it('only owners and admins manage keys; bad input names the field', async () => {
    await t.http().post(`${team()}/api-keys`).set(member.auth).send({ name: 'x', scopes: ['read'] }).expect(403);
    await t.http().get(`${team()}/api-keys`).set(member.auth).expect(403);
    for (const [body, field] of [
      [{ name: 'x', scopes: ['root'] }, 'scope'],
      [{ name: 'x', scopes: [] }, 'scopes'],
      [{ name: '', scopes: ['read'] }, 'name'],
      [{ name: 'x', scopes: ['read'], expiresAt: 'soon' }, 'expiresAt'],
      [{ name: 'x', scopes: ['read'], expiresAt: new Date(Date.now() - 1000).toISOString() }, 'expiresAt'],
    ] as const) {
      const res = await t.http().post(`${team()}/api-keys`).set(owner.auth).send(body).expect(400);
      expect(res.body.message).toContain(field);
    }
  });

  it('a read key reads its team, is refused writes (403), and another team is 404', async () => {
    const { key } = await createKey(['read']);
    await t.http().get(team()).set(bearer(key)).expect(200);
    await t.http().get(`${team()}/agents`).set(bearer(key)).expect(200);
    const refused = await t.http().post(`${team()}/agents`).set(bearer(key)).send({ name: 'Nope' }).expect(403);
    expect(refused.body.message).toContain('write scope');
    await t.http().patch(team()).set(bearer(key)).send({ name: 'Renamed' }).expect(403);
    await t.http().get(`/v1/teams/${other.teamId}`).set(bearer(key)).expect(404);
    await t.http().get(`/v1/teams/${other.teamId}/agents`).set(bearer(key)).expect(404);
    // admin-scoped reads: the audit log and the key list
    await t.http().get(`${team()}/audit-log`).set(bearer(key)).expect(403);
    await t.http().get(`${team()}/api-keys`).set(bearer(key)).expect(403);
  });

  it('a write key changes its team but not keys, members or invitations; an admin key does; owner-only stays owner-only', async () => {
    const write = (await createKey(['write'])).key;
    const agent = await t.http().post(`${team()}/agents`).set(bearer(write)).send({ name: 'By key' }).expect(201);
    await t.http().patch(`${team()}/agents/${agent.body.id}`).set(bearer(write)).send({ description: 'x' }).expect(200);
    await t.http().post(`${team()}/agents/${agent.body.id}/chat`).set(bearer(write)).send({ text: 'hi' }).expect(200);
    await t.http().post(`${team()}/api-keys`).set(bearer(write)).send({ name: 'x', scopes: ['read'] }).expect(403);
    await t.http().post(`${team()}/members`).set(bearer(write)).send({ email: 'w@example.com', role: 'member' }).expect(403);
    await t.http().patch(`${team()}/members/${member.userId}`).set(bearer(write)).send({ role: 'admin' }).expect(403);
    await t.http().post(`/v1/teams/${other.teamId}/agents`).set(bearer(write)).send({ name: 'x' }).expect(404);

    const admin = (await createKey(['admin'])).key;
    const made = await t.http().post(`${team()}/api-keys`).set(bearer(admin)).send({ name: 'made by a key', scopes: ['read'] }).expect(201);
    expect(made.body.createdById).toBeNull();
    const inv = await t.http().post(`${team()}/members`).set(bearer(admin)).send({ email: 'k@example.com', role: 'member' }).expect(201);
    expect(inv.body.invitedById).toBeNull();
    await t.http().post(`${team()}/members`).set(bearer(admin)).send({ email: 'o@example.com', role: 'owner' }).expect(403);
    await t.http().get(`${team()}/audit-log`).set(bearer(admin)).expect(200);
    await t.http().delete(team()).set(bearer(admin)).expect(403);
    await t.http().get(`${team()}/agents`).set(bearer(admin)).expect(200);
  });

  it('keys do not work outside their team routes (403) and never as a user', async () => {
    const { key } = await createKey(['admin']);
    for (const [method, url] of [
      ['get', '/v1/me'],
      ['get', '/v1/teams'],
      ['post', '/v1/teams'],
      ['get', '/v1/me/invitations'],
    ] as const) {
      const res = await t.http()[method](url).set(bearer(key)).send(method === 'post' ? { name: 'x' } : undefined);
      expect({ url, status: res.status }).toEqual({ url, status: 403 });
    }
  });

  it('revoked, expired and unknown keys are 401 with one answer; revoking is 404 the second time', async () => {
    const { id, key } = await createKey(['read']);
    await t.http().get(team()).set(bearer(key)).expect(200);
    await t.http().delete(`${team()}/api-keys/${id}`).set(owner.auth).expect(204);
    const revoked = await t.http().get(team()).set(bearer(key)).expect(401);
    await t.http().delete(`${team()}/api-keys/${id}`).set(owner.auth).expect(404);
    const listed = await t.http().get(`${team()}/api-keys/${id}`).set(owner.auth).expect(200);
    expect(listed.body.revokedAt).not.toBeNull();

    const expiring = await createKey(['read'], { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await t.http().get(team()).set(bearer(expiring.key)).expect(200);
    clock.advance(61_000);
    let expired;
    try {
      expired = await t.http().get(team()).set(bearer(expiring.key)).expect(401);
    } finally {
      clock.reset();
    }
    const unknown = await t.http().get(team()).set(bearer(`sb_${'A'.repeat(43)}`)).expect(401);
    const junk = await t.http().get(team()).set(bearer('sb_nope')).expect(401);
    expect(new Set([revoked.body.message, expired.body.message, unknown.body.message, junk.body.message]).size).toBe(1);
    // a key of another team is 404 on this team's ids, even for its own key list
    await t.http().delete(`/v1/teams/${other.teamId}/api-keys/${id}`).set(other.auth).expect(404);
  });

  it('lastUsedAt is set on use and written at most about once a minute', async () => {
    const { id, key } = await createKey(['read']);
    const lastUsed = async (): Promise<Date | null> => ((await ds.query('SELECT last_used_at FROM api_key WHERE id = $1', [id])) as { last_used_at: Date | null }[])[0].last_used_at;
    expect(await lastUsed()).toBeNull();
    await t.http().get(team()).set(bearer(key)).expect(200);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    await t.http().get(team()).set(bearer(key)).expect(200);
    expect(await lastUsed()).toEqual(first);
    await ds.query(`UPDATE api_key SET last_used_at = now() - interval '2 minutes' WHERE id = $1`, [id]);
    await t.http().get(team()).set(bearer(key)).expect(200);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(Date.now() - 30_000);
  });

  it(`is rate-limited per key (${RATE_LIMIT}/min): 429 with Retry-After, other keys unaffected`, async () => {
    const { key } = await createKey(['read']);
    let limited: { status: number; headers: Record<string, string>; body: { message: string } } | undefined;
    // at most one window boundary can fall inside the loop, so 2 × limit + 1 requests must meet the limit
    for (let i = 0; i < RATE_LIMIT * 2 + 1 && !limited; i++) {
      const res = await t.http().get(team()).set(bearer(key));
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
    }
    expect(limited).toBeDefined();
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited!.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited!.body.message).toContain('API key');
    const fresh = await createKey(['read']);
    await t.http().get(team()).set(bearer(fresh.key)).expect(200);
    await t.http().get(team()).set(owner.auth).expect(200);
  });
});

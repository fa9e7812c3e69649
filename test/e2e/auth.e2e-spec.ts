import { createHmac } from 'node:crypto';
import { createTestApp, TestApp } from '../utils/test-app';
import { ownerWithTeam } from '../factories/users';

const b64url = (v: object | string): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
function signHs256(payload: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const unsigned = `${b64url(header)}.${b64url(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

describe('auth (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '5' } });
  });
  afterAll(() => t.close());

  it('logs in and returns a bearer token that opens /v1/me with the teams and roles', async () => {
    const owner = await ownerWithTeam(t, 'Acme');
    const res = await t.http().post('/v1/auth/login').send({ email: owner.email.toUpperCase(), password: owner.password }).expect(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 3600 });
    const me = await t.http().get('/v1/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(200);
    expect(me.body).toMatchObject({ email: owner.email, teams: [{ id: owner.teamId, name: 'Acme', role: 'owner' }] });
    expect(JSON.stringify(me.body)).not.toContain('password');
  });

  it('rejects a wrong password and an unknown email with the same 401', async () => {
    const owner = await ownerWithTeam(t);
    const a = await t.http().post('/v1/auth/login').send({ email: owner.email, password: 'wrong-password' }).expect(401);
    const b = await t.http().post('/v1/auth/login').send({ email: 'nobody@example.com', password: 'wrong-password' }).expect(401);
    expect(a.body.message).toBe(b.body.message);
    expect(a.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', requestId: expect.any(String) });
  });

  it('validates the login body and names the field', async () => {
    const res = await t.http().post('/v1/auth/login').send({ email: 'not-an-email', password: 'x' }).expect(400);
    expect(res.body.message).toContain('email');
    expect(res.body.details).toEqual([{ field: 'email', messages: ['email must be an email address'] }]);
    const extra = await t.http().post('/v1/auth/login').send({ email: 'a@b.co', password: 'x', admin: true }).expect(400);
    expect(extra.body.message).toContain('admin');
  });

  describe('tokens', () => {
    let owner: Awaited<ReturnType<typeof ownerWithTeam>>;
    const secret = 'test-jwt-secret-0123456789abcdef0123456789abcdef';
    const claims = (over: object = {}): object => ({
      sub: owner.userId,
      email: owner.email,
      iss: 'switchboard',
      aud: 'switchboard-api',
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 600,
      ...over,
    });
    beforeAll(async () => {
      owner = await ownerWithTeam(t);
    });
    const me = (token?: string) => {
      const r = t.http().get('/v1/me');
      return token === undefined ? r : r.set('Authorization', `Bearer ${token}`);
    };

    it('accepts a well-formed token signed with our secret (control)', async () => {
      await me(signHs256(claims(), secret)).expect(200);
    });
    it('rejects a missing token', async () => {
      const res = await me().expect(401);
      expect(res.body.message).toMatch(/missing bearer token/);
    });
    it('rejects an expired token', async () => {
      const res = await me(signHs256(claims({ exp: Math.floor(Date.now() / 1000) - 10 }), secret)).expect(401);
      expect(res.body.message).toMatch(/expired/);
    });
    it('rejects a forged token (other secret)', async () => {
      await me(signHs256(claims(), 'another-secret-another-secret-another-secret')).expect(401);
    });
    it('rejects alg:none', async () => {
      await me(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims())}.`).expect(401);
    });
    it('rejects a wrong issuer and a wrong audience', async () => {
      await me(signHs256(claims({ iss: 'someone-else' }), secret)).expect(401);
      await me(signHs256(claims({ aud: 'other-api' }), secret)).expect(401);
    });
    it('rejects a token without an expiry, even one signed with our secret', async () => {
      const { exp: _exp, ...noExp } = claims() as { exp: number };
      const res = await me(signHs256(noExp, secret)).expect(401);
      expect(res.body.message).toMatch(/invalid token/);
    });
    it('rejects a token whose subject is not a user id with 401, not 500', async () => {
      const res = await me(signHs256(claims({ sub: 'not-a-uuid' }), secret)).expect(401);
      expect(res.body.message).toMatch(/invalid token/);
      await me(signHs256(claims({ sub: 42 }), secret)).expect(401);
      const { sub: _sub, ...noSub } = claims() as { sub: string };
      await me(signHs256(noSub, secret)).expect(401);
    });
    it('rejects a token whose payload was edited', async () => {
      const [h, , s] = signHs256(claims(), secret).split('.');
      await me(`${h}.${b64url(claims({ sub: '00000000-0000-0000-0000-000000000000' }))}.${s}`).expect(401);
    });
  });

  it('rate-limits login with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await t.http().post('/v1/auth/login').send({ email: 'x@example.com', password: 'whatever' })).status);
    }
    expect(statuses).toContain(429);
    const limited = await t.http().post('/v1/auth/login').send({ email: 'x@example.com', password: 'whatever' }).expect(429);
    expect(limited.body).toMatchObject({ statusCode: 429, message: expect.stringMatching(/too many/i) });
  });
});

import { DataSource } from 'typeorm';
import { ConnectionHealthService } from '../../src/connections/connection-health.service';
import { KeyRotationService, RotationReport } from '../../src/crypto/key-rotation.service';
import { FakeTelegramApi } from '../fakes';
import { Actor, login, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';

const key = (n: number): string => Buffer.alloc(32, n).toString('base64');
const TOKENS = ['111111111:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '222222222:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', '333333333:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC'];

/** A 3-key rotation round trip through the key ring, with the app restarted on each new ring. */
describe('key rotation (e2e)', () => {
  let tg: FakeTelegramApi;
  let t: TestApp | undefined;
  let owner: Actor & { teamId: string };
  const connections: { agentId: string; id: string }[] = [];

  const boot = async (keys: string, fresh = false): Promise<TestApp> => {
    await t?.close();
    t = await createTestApp({ reuseDatabase: !fresh, env: { ENCRYPTION_KEYS: keys, TELEGRAM_API_ROOT: tg.url, CONNECTION_HEALTH_INTERVAL_S: '0', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    return t;
  };
  const envelopes = async (app: TestApp): Promise<string[]> =>
    ((await app.app.get(DataSource).query('SELECT credentials_encrypted AS e FROM platform_connection ORDER BY id')) as { e: string }[]).map((r) => r.e);
  const statusOf = async (app: TestApp, c: { agentId: string; id: string }): Promise<{ status: string; errorMessage: string | null }> => {
    const auth = (await login(app, owner.email, owner.password)).auth;
    return (await app.http().get(`/v1/teams/${owner.teamId}/agents/${c.agentId}/connections/${c.id}/health`).set(auth).expect(200)).body;
  };

  beforeAll(async () => {
    tg = await new FakeTelegramApi().start();
    TOKENS.forEach((tok, i) => tg.addBot(tok, { id: 100 + i, username: `bot${i}_bot`, first_name: `Bot ${i}` }));
  });
  afterAll(async () => {
    await t?.close();
    await tg.stop();
  });

  it('k1 → [k2,k1] → [k3,k2] → [k3]: every row follows, twice is harmless, and everything still works', async () => {
    let app = await boot(`k1:${key(1)}`, true);
    owner = await ownerWithTeam(app, 'Rotating');
    for (const [i, tok] of TOKENS.entries()) {
      const agent = await app.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: `A${i}` }).expect(201);
      const c = await app.http().post(`/v1/teams/${owner.teamId}/agents/${agent.body.id}/connections`).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: tok } }).expect(201);
      connections.push({ agentId: agent.body.id, id: c.body.id });
    }
    expect((await envelopes(app)).every((e) => e.startsWith('v1.k1.'))).toBe(true);
    // an agent runtime secret is rotated too
    await app.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'LLM', runtime: { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKey: 'sk-rotate-me-123456' } }).expect(201);

    app = await boot(`k2:${key(2)},k1:${key(1)}`);
    const conns = (reports: RotationReport[]): RotationReport | undefined => reports.find((r) => r.table === 'platform_connection');
    const all2 = await app.app.get(KeyRotationService).rotateAll(2); // batch of 2 over 3 rows
    const r2 = conns(all2);
    expect(all2.find((r) => r.table === 'agent')).toMatchObject({ rotated: 1, failed: 0 });
    expect(r2).toMatchObject({ table: 'platform_connection', scanned: 3, rotated: 3, current: 0, failed: 0 });
    expect((await envelopes(app)).every((e) => e.startsWith('v1.k2.'))).toBe(true);
    const again = conns(await app.app.get(KeyRotationService).rotateAll());
    expect(again).toMatchObject({ scanned: 3, rotated: 0, current: 3, failed: 0 });

    app = await boot(`k3:${key(3)},k2:${key(2)}`);
    await app.app.get(KeyRotationService).rotateAll();
    expect((await envelopes(app)).every((e) => e.startsWith('v1.k3.'))).toBe(true);

    app = await boot(`k3:${key(3)}`); // k1 and k2 retired
    const result = await app.app.get(ConnectionHealthService).runHealthChecks();
    expect(result).toEqual({ checked: 3, failed: 0 });
    for (const c of connections) expect((await statusOf(app, c)).status).toBe('active');
    // the decrypted tokens are the originals: getMe was called with each
    for (const tok of TOKENS) expect(tg.calls.some((c) => c.path === `/bot${tok}/getMe`)).toBe(true);
  });

  it('a row whose key left the ring does not crash anything: its connection goes to error, naming the key', async () => {
    const app = await boot(`k4:${key(4)}`); // k3 is gone
    const report = (await app.app.get(KeyRotationService).rotateAll()).find((r) => r.table === 'platform_connection');
    expect(report).toMatchObject({ scanned: 3, rotated: 0, failed: 3 });
    const s = await statusOf(app, connections[0]);
    expect(s.status).toBe('error');
    expect(s.errorMessage).toContain('encryption key "k3" is not in ENCRYPTION_KEYS');
    // the API keeps serving, and replacing the credentials heals the connection under the new key
    const auth = (await login(app, owner.email, owner.password)).auth;
    const c = connections[0];
    const healed = await app.http().patch(`/v1/teams/${owner.teamId}/agents/${c.agentId}/connections/${c.id}`).set(auth).send({ credentials: { botToken: TOKENS[0] } }).expect(200);
    expect(healed.body).toMatchObject({ status: 'active', errorMessage: null });
    expect((await envelopes(app)).filter((e) => e.startsWith('v1.k4.'))).toHaveLength(1);
  });
});

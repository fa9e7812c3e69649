import { Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AUDITED } from '../../src/audit/audit-spec';
import { AuditPruner } from '../../src/audit/jobs/audit.pruner';
import { FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { Actor, memberOf, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';

const TG_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

interface AuditRow {
  id: string;
  teamId: string | null;
  actor: { type: string; id: string | null };
  action: string;
  target: { type: string | null; id: string | null };
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
  clientIp: string | null;
  createdAt: string;
}

describe('audit log (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let tg: FakeTelegramApi;
  let rx: FakeWebhookReceiver;
  let owner: Actor & { teamId: string };
  let admin: Actor;
  let member: Actor;
  const secrets: string[] = [TG_TOKEN];

  const team = (): string => `/v1/teams/${owner.teamId}`;
  const log = async (query = '', as: Actor = owner): Promise<{ data: AuditRow[]; nextCursor: string | null }> =>
    (await t.http().get(`${team()}/audit-log${query}`).set(as.auth).expect(200)).body;
  const latest = async (action: string): Promise<AuditRow> => {
    const page = await log(`?action=${action}&limit=1`);
    expect(page.data).toHaveLength(1);
    return page.data[0];
  };

  beforeAll(async () => {
    [tg, rx] = await Promise.all([new FakeTelegramApi().start(), new FakeWebhookReceiver().start()]);
    tg.addBot(TG_TOKEN, { id: 7001, username: 'acme_support_bot', first_name: 'Acme Support' });
    t = await createTestApp({
      env: {
        TELEGRAM_API_ROOT: tg.url,
        PUBLIC_BASE_URL: 'https://sb.example.com',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CONNECTION_HEALTH_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
        AUDIT_RETENTION_DAYS: '30',
      },
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Acme');
    admin = await memberOf(t, owner, owner.teamId, 'admin');
    member = await memberOf(t, owner, owner.teamId, 'member');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), rx.stop()]);
  });

  it('every route that changes something (all but GET and login, and the inbound platform webhooks) is audited', () => {
    const reflector = t.app.get(Reflector);
    const unaudited: string[] = [];
    // every controller of the running app, read through Nest's container (the handlers carry the route metadata)
    const container = (t.app as unknown as { container: { getModules(): Map<string, { controllers: Map<unknown, { metatype: new (...a: unknown[]) => unknown }> }> } }).container;
    for (const mod of container.getModules().values()) {
      for (const wrapper of mod.controllers.values()) {
        const proto = wrapper.metatype.prototype as Record<string, unknown>;
        const base = (Reflect.getMetadata('path', wrapper.metatype) as string) ?? '';
        for (const name of Object.getOwnPropertyNames(proto)) {
          const handler = proto[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const method = Reflect.getMetadata('method', handler) as number | undefined;
          if (method === undefined) continue;
          const verb = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD'][method];
          const path = `${base}/${(Reflect.getMetadata('path', handler) as string) ?? ''}`;
          if (verb === 'GET' || path.startsWith('webhooks/') || path === 'v1/auth/login') continue;
          if (!reflector.get(AUDITED, handler as () => void)) unaudited.push(`${verb} ${path}`);
        }
      }
    }
    expect(unaudited).toEqual([]);
  });

  it('records a change of each kind with actor, target, before/after, request id and client address — and no secret', async () => {
    const reqId = 'audit-test-request-1';
    // team
    await t.http().patch(team()).set(owner.auth).set('X-Request-Id', reqId).send({ name: 'Acme 2' }).expect(200);
    const renamed = await latest('team.updated');
    expect(renamed).toMatchObject({
      teamId: owner.teamId,
      actor: { type: 'user', id: owner.userId },
      target: { type: 'team', id: owner.teamId },
      before: expect.objectContaining({ name: 'Acme' }),
      after: expect.objectContaining({ name: 'Acme 2' }),
      requestId: reqId,
      clientIp: expect.stringMatching(/127\.0\.0\.1|::1/),
    });
    // invitation and members
    const inv = await t.http().post(`${team()}/members`).set(admin.auth).send({ email: 'ada@example.com', role: 'member' }).expect(201);
    secrets.push(inv.body.token);
    const invited = await latest('invitation.created');
    expect(invited).toMatchObject({ actor: { type: 'user', id: admin.userId }, target: { type: 'invitation', id: inv.body.id }, after: expect.objectContaining({ email: 'ada@example.com' }) });
    expect(invited.after).not.toHaveProperty('token');
    const accepted = await t.http().post(`/v1/invitations/${inv.body.token}/accept`).send({ password: 'ada-password-1' }).expect(201);
    expect(await latest('invitation.accepted')).toMatchObject({ teamId: owner.teamId, actor: { type: 'user', id: accepted.body.member.userId }, target: { type: 'team_member', id: accepted.body.member.userId } });
    await t.http().patch(`${team()}/members/${member.userId}`).set(owner.auth).send({ role: 'admin' }).expect(200);
    expect(await latest('team_member.updated')).toMatchObject({ target: { id: member.userId }, before: expect.objectContaining({ role: 'member' }), after: expect.objectContaining({ role: 'admin' }) });
    await t.http().delete(`${team()}/members/${accepted.body.member.userId}`).set(owner.auth).expect(204);
    expect(await latest('team_member.removed')).toMatchObject({ before: expect.objectContaining({ email: 'ada@example.com' }), after: null });
    // agent
    const agent = await t.http().post(`${team()}/agents`).set(owner.auth).send({ name: 'Support' }).expect(201);
    expect(await latest('agent.created')).toMatchObject({ target: { type: 'agent', id: agent.body.id }, before: null, after: expect.objectContaining({ name: 'Support' }) });
    await t.http().patch(`${team()}/agents/${agent.body.id}`).set(owner.auth).send({ name: 'Helpdesk' }).expect(200);
    expect(await latest('agent.updated')).toMatchObject({ before: expect.objectContaining({ name: 'Support' }), after: expect.objectContaining({ name: 'Helpdesk' }) });
    // connection (its credentials never reach the log)
    const agentPath = `${team()}/agents/${agent.body.id}`;
    const conn = await t.http().post(`${agentPath}/connections`).set(owner.auth).send({ platform: 'telegram', credentials: { botToken: TG_TOKEN } }).expect(201);
    expect(await latest('connection.created')).toMatchObject({ target: { type: 'connection', id: conn.body.id }, after: expect.objectContaining({ platform: 'telegram' }) });
    await t.http().patch(`${agentPath}/connections/${conn.body.id}`).set(owner.auth).send({ status: 'paused' }).expect(200);
    expect(await latest('connection.updated')).toMatchObject({ before: expect.objectContaining({ status: 'active' }), after: expect.objectContaining({ status: 'paused' }) });
    await t.http().delete(`${agentPath}/connections/${conn.body.id}`).set(owner.auth).expect(204);
    expect(await latest('connection.deleted')).toMatchObject({ before: expect.objectContaining({ id: conn.body.id }) });
    // webhook endpoint (its secret never reaches the log)
    const hook = await t.http().post(`${team()}/webhooks`).set(owner.auth).send({ url: rx.urlFor('/a'), eventTypes: ['webhook.test'] }).expect(201);
    secrets.push(hook.body.secret);
    const rotated = await t.http().post(`${team()}/webhooks/${hook.body.id}/rotate-secret`).set(owner.auth).expect(200);
    secrets.push(rotated.body.secret);
    expect(await latest('webhook_endpoint.secret_rotated')).toMatchObject({ target: { type: 'webhook_endpoint', id: hook.body.id } });
    await t.http().patch(`${team()}/webhooks/${hook.body.id}`).set(owner.auth).send({ description: 'ops' }).expect(200);
    expect(await latest('webhook_endpoint.updated')).toMatchObject({ after: expect.objectContaining({ description: 'ops' }) });
    await t.http().delete(`${team()}/webhooks/${hook.body.id}`).set(owner.auth).expect(204);
    expect(await latest('webhook_endpoint.deleted')).toMatchObject({ before: expect.objectContaining({ url: rx.urlFor('/a') }) });
    // api key, then a change made with it: the actor is the key
    const key = await t.http().post(`${team()}/api-keys`).set(owner.auth).send({ name: 'CI', scopes: ['write'] }).expect(201);
    secrets.push(key.body.key);
    expect(await latest('api_key.created')).toMatchObject({ target: { type: 'api_key', id: key.body.id }, after: expect.objectContaining({ prefix: key.body.prefix }) });
    await t.http().delete(`${team()}/agents/${agent.body.id}`).set({ Authorization: `Bearer ${key.body.key}` }).expect(204);
    expect(await latest('agent.deleted')).toMatchObject({ actor: { type: 'api_key', id: key.body.id }, before: expect.objectContaining({ name: 'Helpdesk' }) });
    await t.http().delete(`${team()}/api-keys/${key.body.id}`).set(owner.auth).expect(204);
    expect(await latest('api_key.revoked')).toMatchObject({ before: expect.objectContaining({ revokedAt: null }) });
    // no secret anywhere in the table, in any form we handed out
    const dump = JSON.stringify(await ds.query('SELECT * FROM audit_event'));
    for (const s of secrets) expect(dump).not.toContain(s);
    expect(dump).not.toContain(TG_TOKEN.split(':')[1]);
    expect(dump).not.toContain('ada-password-1');
  });

  it('filters by actor, action and time, pages newest first, and is for owners and admins only', async () => {
    for (let i = 0; i < 3; i++) await t.http().post(`${team()}/agents`).set(admin.auth).send({ name: `Bulk ${i}` }).expect(201);
    const byAdmin = await log(`?actorId=${admin.userId}&action=agent.created`);
    expect(byAdmin.data.map((e) => e.after?.name)).toEqual(['Bulk 2', 'Bulk 1', 'Bulk 0']);
    const keyed = await log('?actorType=api_key');
    expect(keyed.data.length).toBeGreaterThan(0);
    expect(keyed.data.every((e) => e.actor.type === 'api_key')).toBe(true);
    const first = await log('?limit=2');
    expect(first.data).toHaveLength(2);
    const second = await log(`?limit=2&cursor=${first.nextCursor}`);
    expect(second.data[0].createdAt <= first.data[1].createdAt).toBe(true);
    expect(second.data.map((e) => e.id)).not.toContain(first.data[0].id);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await log(`?since=${encodeURIComponent(future)}`)).data).toEqual([]);
    expect((await log(`?until=${encodeURIComponent(future)}&action=agent.created&actorId=${admin.userId}`)).data).toHaveLength(3);
    for (const bad of ['actorType=robot', 'actorId=nope', 'since=yesterday', 'action=DROP TABLE']) {
      const res = await t.http().get(`${team()}/audit-log?${bad}`).set(owner.auth).expect(400);
      expect(res.body.message).toContain(bad.split('=')[0]);
    }
    await log('', admin);
    const plain = await memberOf(t, owner, owner.teamId, 'member');
    await t.http().get(`${team()}/audit-log`).set(plain.auth).expect(403);
    const stranger = await ownerWithTeam(t, 'Stranger');
    await t.http().get(`${team()}/audit-log`).set(stranger.auth).expect(404);
    expect((await t.http().get(`/v1/teams/${stranger.teamId}/audit-log`).set(stranger.auth).expect(200)).body.data.every((e: AuditRow) => e.teamId === stranger.teamId)).toBe(true);
  });

  it('deleting a team keeps its log (team.deleted included) until retention; retention deletes events older than AUDIT_RETENTION_DAYS', async () => {
    const gone = await t.http().post('/v1/teams').set(owner.auth).send({ name: 'Short-lived' }).expect(201);
    await t.http().delete(`/v1/teams/${gone.body.id}`).set(owner.auth).expect(204);
    const rows = (await ds.query('SELECT action FROM audit_event WHERE team_id = $1 ORDER BY created_at', [gone.body.id])) as { action: string }[];
    expect(rows.map((r) => r.action)).toEqual(['team.created', 'team.deleted']);

    await ds.query(`UPDATE audit_event SET created_at = now() - interval '31 days' WHERE team_id = $1`, [gone.body.id]);
    const kept = Number((await ds.query('SELECT count(*) AS n FROM audit_event WHERE team_id = $1', [owner.teamId]))[0].n);
    expect(await t.app.get(AuditPruner).run()).toBe(2);
    expect(Number((await ds.query('SELECT count(*) AS n FROM audit_event WHERE team_id = $1', [gone.body.id]))[0].n)).toBe(0);
    expect(Number((await ds.query('SELECT count(*) AS n FROM audit_event WHERE team_id = $1', [owner.teamId]))[0].n)).toBe(kept);
  });
});

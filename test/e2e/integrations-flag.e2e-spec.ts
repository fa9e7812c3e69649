import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { InboundProcessor } from '../../src/conversations/jobs/inbound.processor';
import { SlackSocketManager } from '../../src/integrations/slack/slack-socket.manager';
import { TelegramPoller } from '../../src/integrations/telegram/telegram-poller';
import { FakeTelegramApi } from '../fakes';
import { connectTelegramBot, postUpdate, textUpdate } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';

/** ENABLE_INTEGRATIONS=false: platform webhook routes 404, nothing is processed or polled; the admin API still works. */
describe('ENABLE_INTEGRATIONS=false (e2e)', () => {
  let tg: FakeTelegramApi;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };

  beforeAll(async () => {
    tg = await new FakeTelegramApi().start();
    t = await createTestApp({
      env: { ENABLE_INTEGRATIONS: 'false', TELEGRAM_API_ROOT: tg.url, TELEGRAM_POLL_SCAN_MS: '50', CONNECTION_HEALTH_INTERVAL_S: '0', INBOUND_SWEEP_INTERVAL_S: '0' },
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Flag');
  });
  afterAll(async () => {
    await t.close();
    await tg.stop();
  });

  it('the platform webhook routes answer 404 (a correctly signed update too) and store nothing', async () => {
    const bot = await connectTelegramBot(t, tg, owner); // the admin API for connections keeps working
    const res = await postUpdate(t, bot, textUpdate(1, 'hello')).expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, message: expect.stringMatching(/ENABLE_INTEGRATIONS=false/) });
    await t.http().post(`/webhooks/slack/${randomUUID()}/events`).send({ type: 'url_verification', challenge: 'x' }).expect(404);
    await t.http().post(`/webhooks/github/${randomUUID()}`).set('X-GitHub-Event', 'ping').send({}).expect(404);
    expect(await ds.query('SELECT id FROM inbound_event')).toEqual([]);
  });

  it('runs no inbound worker and no poller: a polling bot’s queued update is never fetched', async () => {
    expect(() => t.app.get(TelegramPoller)).toThrow();
    expect(() => t.app.get(SlackSocketManager)).toThrow(); // no Slack Socket Mode either
    expect(() => t.app.get(InboundProcessor)).toThrow();
    const bot = await connectTelegramBot(t, tg, owner, { settings: { mode: 'polling' } });
    tg.queueUpdate(bot.token, textUpdate(2, 'polled?'));
    // proving an absence takes a wait: 20 scan intervals of 50 ms
    await new Promise((r) => setTimeout(r, 1000));
    expect(tg.callsTo('getUpdates').filter((c) => FakeTelegramApi.tokenOf(c) === bot.token)).toEqual([]);
    expect(await ds.query('SELECT id FROM inbound_event WHERE connection_id = $1', [bot.connectionId])).toEqual([]);
  });

  it('the event log and the test endpoint work; replay is refused (nothing would process it)', async () => {
    const bot = await connectTelegramBot(t, tg, owner);
    const path = `/v1/teams/${owner.teamId}/agents/${bot.agentId}/connections/${bot.connectionId}`;
    const [{ id }] = (await ds.query(
      `INSERT INTO inbound_event (connection_id, platform, dedupe_key, ordering_key, payload, status, error)
       VALUES ($1, 'telegram', '1', '3', '{}'::jsonb, 'failed', 'earlier failure') RETURNING id`,
      [bot.connectionId],
    )) as { id: string }[];
    const list = await t.http().get(`${path}/events`).set(owner.auth).expect(200);
    expect(list.body.data).toEqual([expect.objectContaining({ id, status: 'failed' })]);
    const replay = await t.http().post(`${path}/events/${id}/replay`).set(owner.auth).expect(409);
    expect(replay.body.message).toMatch(/ENABLE_INTEGRATIONS=false/);
    expect(await ds.query('SELECT status FROM inbound_event WHERE id = $1', [id])).toEqual([{ status: 'failed' }]);
    const test = await t.http().post(`${path}/test`).set(owner.auth).expect(200);
    expect(test.body).toMatchObject({ ok: true, status: 'active' });
  });
});

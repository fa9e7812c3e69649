import { DataSource } from 'typeorm';
import { LOG_DESTINATION } from '../../src/logging/logging.module';
import { FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { connectTelegramBot, postUpdate, TelegramBotFixture, textUpdate } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { LogCapture } from '../utils/log-capture';
import { TestRedisServer } from '../utils/redis-server';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const sentTo = (tg: FakeTelegramApi, chatId: number): RecordedCall[] =>
  tg.callsTo('sendMessage').filter((c) => String((c.body as { chat_id: unknown }).chat_id) === String(chatId));
const eventTypes = (rx: FakeWebhookReceiver, path: string): string[] => rx.callsTo(path).map((c) => (c.body as { type: string }).type);

/** Runs `fn` and says how long it took. */
async function timed<T>(fn: () => PromiseLike<T>): Promise<{ result: T; ms: number }> {
  const start = Date.now();
  const result = await fn();
  return { result, ms: Date.now() - start };
}

/**
 * Redis goes away under a running app (its own redis-server, killed and frozen by PID): requests stay quick, the
 * work is kept in PostgreSQL, and it is done once Redis is back.
 */
describe('Redis outage (e2e, a redis-server of its own)', () => {
  let redis: TestRedisServer;
  let tg: FakeTelegramApi;
  let rx: FakeWebhookReceiver;
  let logs: LogCapture;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let bot: TelegramBotFixture;
  let endpointId: string;
  let chat = 50_000;

  const hooks = (): string => `/v1/teams/${owner.teamId}/webhooks`;
  const agentPath = (agentId: string): string => `/v1/teams/${owner.teamId}/agents/${agentId}`;
  const newAgent = async (name: string): Promise<string> => (await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name }).expect(201)).body.id;
  const eventRows = (chatId: number): Promise<{ status: string }[]> =>
    ds.query(`SELECT status FROM inbound_event WHERE connection_id = $1 AND payload->'message'->'chat'->>'id' = $2`, [bot.connectionId, String(chatId)]);

  beforeAll(async () => {
    [redis, tg, rx] = await Promise.all([TestRedisServer.start(), new FakeTelegramApi().start(), new FakeWebhookReceiver().start()]);
    logs = new LogCapture();
    t = await createTestApp({
      env: {
        REDIS_URL: redis.url,
        TELEGRAM_API_ROOT: tg.url,
        PUBLIC_BASE_URL: 'https://sb.example.com',
        INBOUND_SWEEP_INTERVAL_S: '1',
        WEBHOOK_SWEEP_INTERVAL_S: '0.5',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CONNECTION_HEALTH_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
        LOG_LEVEL: 'info',
      },
      override: (b) => b.overrideProvider(LOG_DESTINATION).useValue(logs),
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Outage');
    bot = await connectTelegramBot(t, tg, owner);
    endpointId = (await t.http().post(hooks()).set(owner.auth).send({ url: rx.urlFor('/outage'), eventTypes: ['agent.status_changed'] }).expect(201)).body.id;
    // every event, so that a chat turn (message.created) has deliveries to enqueue after its commits
    await t.http().post(hooks()).set(owner.auth).send({ url: rx.urlFor('/everything') }).expect(201);
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([redis?.stop(), tg?.stop(), rx?.stop()]);
  });

  it('with Redis up, /health/ready names both dependencies as up and an update is answered', async () => {
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } }, error: {} });
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^redis_up 1$/m);
    expect(metrics.text).toMatch(/queue_jobs\{queue="inbound",state="waiting"\} \d+/);
    const c = ++chat;
    await postUpdate(t, bot, textUpdate(c, 'before')).expect(200);
    await until(() => sentTo(tg, c).length === 1, 'the reply with Redis up');
  });

  it('Redis killed: every request answers at once, platform updates are still answered, the rest waits in PostgreSQL and is done once Redis is back', async () => {
    const mark = logs.text().length;
    const agentId = await newAgent('Status toggler');
    await redis.stop();
    await until(() => logs.text().slice(mark).includes(`Redis at 127.0.0.1:${redis.port} is unreachable`), 'the outage warning');

    // Telegram is acknowledged in well under a second, and the update is answered all the same: this process runs the
    // inbound worker too, which takes a stored event in-process (no queue job), and leases are PostgreSQL rows
    const c = ++chat;
    const ack = await timed(() => postUpdate(t, bot, textUpdate(c, 'during the outage')).expect(200));
    expect(ack.ms).toBeLessThan(1000);
    await until(() => sentTo(tg, c).length === 1, 'the reply while Redis is down');
    await until(async () => (await eventRows(c))[0]?.status === 'done', 'the update done while Redis is down');

    // readiness names each dependency and its state, as terminus does
    const ready = await timed(() => t.http().get('/health/ready').expect(503));
    expect(ready.ms).toBeLessThan(1500);
    expect(ready.result.body).toMatchObject({ status: 'error', info: { database: { status: 'up' } }, error: { redis: { status: 'down' } } });

    // metrics still answer, and say Redis is down
    const metrics = await timed(() => t.http().get('/metrics').expect(200));
    expect(metrics.ms).toBeLessThan(1000);
    expect(metrics.result.text).toMatch(/^redis_up 0$/m);

    const sentBefore = rx.callsTo('/everything').length;
    // the chat turn does not need Redis: a reply within 2 s
    const reply = await timed(() => t.http().post(`${agentPath(bot.agentId)}/chat`).set(owner.auth).send({ text: 'hello without redis' }).expect(200));
    expect(reply.ms).toBeLessThan(2000);
    expect(reply.result.body.reply).toContain('hello without redis');

    // outbox writes commit at once; webhook deliveries are dispatched from PostgreSQL and need no Redis at all
    const test = await timed(() => t.http().post(`${hooks()}/${endpointId}/test`).set(owner.auth).expect(202));
    expect(test.ms).toBeLessThan(1000);
    const paused = await timed(() => t.http().patch(agentPath(agentId)).set(owner.auth).send({ status: 'paused' }).expect(200));
    expect(paused.ms).toBeLessThan(1000);
    expect(paused.result.body.status).toBe('paused');

    await until(() => rx.callsTo('/outage').length === 2, 'both webhook deliveries while Redis is down', 20_000);
    // the outage is reported once, not with a stack per request or probe
    const during = logs.text().slice(mark);
    expect(during.match(/is unreachable/g)).toHaveLength(1);
    expect(during).not.toContain('"stack"');

    await redis.start();
    await until(() => logs.text().slice(mark).includes('is reachable again'), 'the recovery line');
    expect(sentTo(tg, c)).toHaveLength(1); // answered once: nothing runs it again when Redis is back
    expect(eventTypes(rx, '/outage').sort()).toEqual(['agent.status_changed', 'webhook.test']);
    const chatMessages = (): unknown[] =>
      rx
        .callsTo('/everything')
        .slice(sentBefore)
        .map((x) => x.body as { type: string; data: { conversation_id?: string } })
        .filter((b) => b.type === 'message.created' && b.data.conversation_id === reply.result.body.conversationId);
    await until(() => chatMessages().length === 2, 'message.created of both chat messages', 20_000);
    await t.http().get('/health/ready').expect(200);
    expect((await t.http().get('/metrics').expect(200)).text).toMatch(/^redis_up 1$/m);
  }, 60_000);

  it('Redis frozen (answers nothing, keeps its sockets): requests are bounded, work is done once it answers again', async () => {
    const before = rx.callsTo('/outage').length;
    redis.pause();
    try {
      const c = ++chat;
      const ack = await timed(() => postUpdate(t, bot, textUpdate(c, 'while redis hangs')).expect(200));
      expect(ack.ms).toBeLessThan(1000);
      const reply = await timed(() => t.http().post(`${agentPath(bot.agentId)}/chat`).set(owner.auth).send({ text: 'still here' }).expect(200));
      expect(reply.ms).toBeLessThan(2000);
      const test = await timed(() => t.http().post(`${hooks()}/${endpointId}/test`).set(owner.auth).expect(202));
      expect(test.ms).toBeLessThan(1000);
      const ready = await timed(() => t.http().get('/health/ready').expect(503));
      expect(ready.ms).toBeLessThan(1500);
      expect(ready.result.body.error).toMatchObject({ redis: { status: 'down' } });
      const metrics = await timed(() => t.http().get('/metrics').expect(200));
      expect(metrics.ms).toBeLessThan(2000);

      redis.resume();
      await until(() => sentTo(tg, c).length === 1, 'the reply once Redis answers again', 20_000);
      await until(() => rx.callsTo('/outage').length === before + 1, 'the test delivery once Redis answers again', 20_000);
    } finally {
      redis.resume();
    }
  }, 60_000);
});

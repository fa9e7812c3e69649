import { getQueueToken } from '@nestjs/bullmq';
import { Queue, QueueEvents } from 'bullmq';
import { DataSource } from 'typeorm';
import { QueueName } from '../../src/queue/queues';
import { FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { lastUserText } from '../factories/runtime';
import { connectTelegramBot, postUpdate, sentTexts, textUpdate } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';


describe('inbound pipeline concurrency (e2e)', () => {
  let tg: FakeTelegramApi;
  let runtime: FakeWebhookReceiver;
  let t: TestApp;
  let owner: Actor & { teamId: string };
  let inFlight = 0;
  let maxInFlight = 0;

  beforeAll(async () => {
    [tg, runtime] = await Promise.all([new FakeTelegramApi().start(), new FakeWebhookReceiver().start()]);
    runtime.handler = async (call) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, Number(call.path.split('/')[2] ?? 0)));
      inFlight--;
      return { status: 200, body: { reply: `re: ${lastUserText(call)}` } };
    };
    // far more conversations in flight than pooled database connections: nothing may hold one across the agent call
    t = await createTestApp({
      env: {
        TELEGRAM_API_ROOT: tg.url,
        DATABASE_POOL_SIZE: '3',
        INBOUND_CONCURRENCY: '100',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CONNECTION_HEALTH_INTERVAL_S: '0',
        INBOUND_SWEEP_INTERVAL_S: '0',
      },
    });
    owner = await ownerWithTeam(t, 'Concurrency');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), runtime.stop()]);
  });

  it('runs agent calls of 60 chats at once with a pool of 3 database connections', async () => {
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtime.urlFor('/slow/700') } });
    const chats = Array.from({ length: 60 }, (_, i) => 9000 + i);
    maxInFlight = 0;
    await Promise.all(chats.map((c) => postUpdate(t, bot, textUpdate(c, `hi from ${c}`)).expect(200)));
    await until(() => chats.every((c) => sentTexts(tg, c).length === 1), '60 replies', 30_000);
    for (const c of chats) expect(sentTexts(tg, c)).toEqual([`re: hi from ${c}`]);
    // with a connection pinned per conversation, at most 3 calls could overlap (or none finish at all)
    expect(maxInFlight).toBeGreaterThan(10);
  });

  it("starts a conversation's next message as soon as the one before is done: the holder drains it, no job waits in delayed retries", async () => {
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtime.urlFor('/slow/150') } });
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Inbound));
    const events = new QueueEvents(QueueName.Inbound, { connection: await queue.client, prefix: t.config.redis.prefix });
    await events.waitUntilReady();
    let delayed = 0;
    events.on('delayed', () => delayed++);
    try {
      for (let n = 1; n <= 5; n++) await postUpdate(t, bot, textUpdate(9500, `m${n}`)).expect(200);
      await until(() => sentTexts(tg, 9500).length === 5, '5 replies');
      expect(sentTexts(tg, 9500)).toEqual(['re: m1', 're: m2', 're: m3', 're: m4', 're: m5']);
      expect(delayed).toBe(0);
    } finally {
      await events.close();
    }
  });

  it('a transient runtime failure waits through the event (not_before + a delayed job), without holding the lease', async () => {
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtime.urlFor('/flaky') } });
    runtime.script('/flaky', { status: 503, body: {} });
    runtime.respondOn('/flaky', 200, { reply: 'finally' });
    await postUpdate(t, bot, textUpdate(9600, 'try me')).expect(200);
    const ds = t.app.get(DataSource);
    // while it waits, the conversation is on hold in the database and nobody holds its lease
    await until(async () => {
      const [ev] = (await ds.query(`SELECT not_before, agent_attempts FROM inbound_event WHERE connection_id = $1`, [bot.connectionId])) as { not_before: Date | null; agent_attempts: number }[];
      const leases = (await ds.query(`SELECT 1 FROM conversation_lease WHERE key LIKE $1`, [`inbound:${bot.connectionId}:%`])) as unknown[];
      return ev?.agent_attempts === 1 && ev.not_before !== null && leases.length === 0;
    }, 'the event on hold with its lease released');
    expect(sentTexts(tg, 9600)).toEqual([]);
    await until(() => sentTexts(tg, 9600).length === 1, 'the reply after the retry', 20_000);
    expect(sentTexts(tg, 9600)).toEqual(['finally']);
  });
});

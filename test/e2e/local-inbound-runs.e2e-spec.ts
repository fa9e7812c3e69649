import { getQueueToken } from '@nestjs/bullmq';
import { Queue, QueueEvents } from 'bullmq';
import { InboundWakeups } from '../../src/conversations/inbound-wakeups';
import { QueueName } from '../../src/queue/queues';
import { FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { lastUserText } from '../factories/runtime';
import { connectTelegramBot, postUpdate, sentTexts, textUpdate } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

/**
 * ROLE=all: a stored platform event goes straight to this process's inbound worker (LocalInboundRuns), without a
 * BullMQ job — until INBOUND_CONCURRENCY local runs are in flight; then it waits on the wake-up list, as in a split
 * deployment.
 */
describe('in-process hand-off of inbound events (e2e)', () => {
  let tg: FakeTelegramApi;
  let runtime: FakeWebhookReceiver;
  let t: TestApp;
  let owner: Actor & { teamId: string };
  let events: QueueEvents;
  let added = 0;

  beforeAll(async () => {
    [tg, runtime] = await Promise.all([new FakeTelegramApi().start(), new FakeWebhookReceiver().start()]);
    runtime.handler = async (call) => {
      await new Promise((r) => setTimeout(r, Number(call.path.split('/')[2] ?? 0)));
      return { status: 200, body: { reply: `re: ${lastUserText(call)}` } };
    };
    t = await createTestApp({
      env: { TELEGRAM_API_ROOT: tg.url, INBOUND_CONCURRENCY: '1', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', CONNECTION_HEALTH_INTERVAL_S: '0', INBOUND_SWEEP_INTERVAL_S: '0' },
    });
    owner = await ownerWithTeam(t, 'Hand-off');
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Inbound));
    events = new QueueEvents(QueueName.Inbound, { connection: await queue.client, prefix: t.config.redis.prefix });
    await events.waitUntilReady();
    events.on('added', () => added++);
  });
  afterAll(async () => {
    await events?.close();
    await t.close();
    await Promise.all([tg.stop(), runtime.stop()]);
  });

  it('an event arriving while the worker has room is answered without a queue job', async () => {
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtime.urlFor('/slow/0') } });
    added = 0;
    await postUpdate(t, bot, textUpdate(7001, 'straight through')).expect(200);
    await until(() => sentTexts(tg, 7001).length === 1, 'the reply');
    expect(sentTexts(tg, 7001)).toEqual(['re: straight through']);
    expect(added).toBe(0);
  });

  it('beyond INBOUND_CONCURRENCY runs, an event waits on the wake-up list — and is answered once a run finishes', async () => {
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtime.urlFor('/slow/1500') } });
    const wakeups = t.app.get(InboundWakeups);
    added = 0;
    await postUpdate(t, bot, textUpdate(7002, 'first')).expect(200); // takes the one slot for 1.5 s
    await postUpdate(t, bot, textUpdate(7003, 'second')).expect(200); // another chat: no room here → the list
    await until(async () => (await wakeups.length()) === 1, 'the second wake-up waiting on the list');
    expect(sentTexts(tg, 7003)).toEqual([]);
    await until(() => sentTexts(tg, 7002).length === 1 && sentTexts(tg, 7003).length === 1, 'both replies', 20_000);
    expect([...sentTexts(tg, 7002), ...sentTexts(tg, 7003)]).toEqual(['re: first', 're: second']);
    expect(await wakeups.length()).toBe(0);
    expect(added).toBe(0); // no BullMQ job on the way
  });
});

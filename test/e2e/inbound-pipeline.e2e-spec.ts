import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { InboundSweeper } from '../../src/conversations/jobs/inbound.sweeper';
import { InboundProcessor } from '../../src/conversations/jobs/inbound.processor';
import { InboundWakeups } from '../../src/conversations/inbound-wakeups';
import { RedisClient } from '../../src/queue/redis-client';
import { UNAVAILABLE_REPLY } from '../../src/conversations/agent-turn.service';
import { ConversationsService } from '../../src/conversations/conversations.service';
import { FakeOpenAiApi, FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { connectTelegramBot, postUpdate, textUpdate } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { TestClock } from '../utils/test-clock';
import { inboundSettled, until } from '../utils/wait';

const sentTo = (tg: FakeTelegramApi, chatId: number): RecordedCall[] =>
  tg.callsTo('sendMessage').filter((c) => String((c.body as { chat_id: unknown }).chat_id) === String(chatId));
const textOf = (c: RecordedCall): string => String((c.body as { text: unknown }).text);


describe('inbound pipeline (e2e: Telegram webhook → worker → agent runtime → reply)', () => {
  let tg: FakeTelegramApi;
  let llm: FakeOpenAiApi;
  let runtimeUrl: FakeWebhookReceiver;
  let t: TestApp;
  let owner: Actor & { teamId: string };
  let ds: DataSource;

  const eventRows = async (connectionId: string): Promise<{ status: string; error: string | null; dedupe_key: string }[]> =>
    ds.query('SELECT status, error, dedupe_key FROM inbound_event WHERE connection_id = $1 ORDER BY seq', [connectionId]);

  /** The typing… signs sent to one chat. */
  const typingIn = (chatId: number): RecordedCall[] => tg.callsTo('sendChatAction').filter((c) => String((c.body as { chat_id: unknown }).chat_id) === String(chatId));
  const clock = new TestClock();
  beforeAll(async () => {
    [tg, llm, runtimeUrl] = await Promise.all([new FakeTelegramApi().start(), new FakeOpenAiApi().start(), new FakeWebhookReceiver().start()]);
    t = await createTestApp({
      clock,
      env: {
        TELEGRAM_API_ROOT: tg.url,
        INBOUND_CONCURRENCY: '8',
        AGENT_RETRY_DELAYS_MS: '20,20,20',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CONNECTION_HEALTH_INTERVAL_S: '0',
        INBOUND_SWEEP_INTERVAL_S: '0',
      },
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Inbound');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), llm.stop(), runtimeUrl.stop()]);
  });

  it('answers 50 messages of one chat strictly in order with 8 concurrent workers, while another chat runs alongside', async () => {
    const bot = await connectTelegramBot(t, tg, owner);
    for (let i = 1; i <= 50; i++) {
      await postUpdate(t, bot, textUpdate(111, `message ${i}`)).expect(200);
      if (i % 10 === 0) await postUpdate(t, bot, textUpdate(222, `other ${i / 10}`)).expect(200);
    }
    await until(() => sentTo(tg, 111).length === 50 && sentTo(tg, 222).length === 5, '55 replies');
    expect(sentTo(tg, 111).map(textOf)).toEqual(Array.from({ length: 50 }, (_, i) => `message ${i + 1}`));
    expect(sentTo(tg, 222).map(textOf)).toEqual(['other 1', 'other 2', 'other 3', 'other 4', 'other 5']);
    // one conversation per chat, with every message stored in order (user, assistant, user, …)
    const convs = await t.http().get(`/v1/teams/${owner.teamId}/agents/${bot.agentId}/conversations?platform=telegram`).set(owner.auth).expect(200);
    expect(convs.body.data).toHaveLength(2);
    const conv = convs.body.data.find((c: { externalChatId: string }) => c.externalChatId === '111');
    const page1 = await t.http().get(`/v1/teams/${owner.teamId}/agents/${bot.agentId}/conversations/${conv.id}/messages?limit=100`).set(owner.auth).expect(200);
    expect(page1.body.data).toHaveLength(100);
    expect(page1.body.data.slice(0, 4).map((m: { role: string; content: string }) => `${m.role}:${m.content}`)).toEqual([
      'user:message 1',
      'assistant:message 1',
      'user:message 2',
      'assistant:message 2',
    ]);
    expect((await eventRows(bot.connectionId)).every((e) => e.status === 'done')).toBe(true);
  });

  it('a duplicate delivery (same update_id) is acknowledged and answered once', async () => {
    const bot = await connectTelegramBot(t, tg, owner);
    const update = textUpdate(333, 'only once');
    await postUpdate(t, bot, update).expect(200);
    await postUpdate(t, bot, update).expect(200);
    await postUpdate(t, bot, textUpdate(333, 'after')).expect(200);
    await inboundSettled(ds, bot.connectionId, 2); // both answered events finished: nothing more will be sent
    expect(sentTo(tg, 333).map(textOf)).toEqual(['only once', 'after']);
    expect(await eventRows(bot.connectionId)).toHaveLength(2);
  });

  it('a burst of webhooks at the same moment is stored once each, even the same update posted three times at once', async () => {
    const bot = await connectTelegramBot(t, tg, owner);
    const twice = textUpdate(4500, 'sent thrice');
    const updates = [twice, ...Array.from({ length: 24 }, (_, i) => textUpdate(4501 + (i % 6), `burst ${i}`)), twice, twice];
    const answers = await Promise.all(updates.map((u) => postUpdate(t, bot, u)));
    expect(answers.map((a) => a.status)).toEqual(updates.map(() => 200));
    await until(() => tg.callsTo('sendMessage').filter((c) => Number((c.body as { chat_id: unknown }).chat_id) >= 4500 && Number((c.body as { chat_id: unknown }).chat_id) <= 4506).length === 25, '25 replies');
    expect(await eventRows(bot.connectionId)).toHaveLength(25);
    expect(sentTo(tg, 4500).map(textOf)).toEqual(['sent thrice']);
    // (posted concurrently, so their order within a chat is whatever order they arrived in)
    for (let c = 0; c < 6; c++) expect(sentTo(tg, 4501 + c).map(textOf).sort()).toEqual([0, 1, 2, 3].map((k) => `burst ${c + 6 * k}`).sort());
  });

  it('"typing…" shows only when the agent takes longer than INBOUND_WORKING_DELAY_MS (300 ms), and before the reply', async () => {
    const fast = await connectTelegramBot(t, tg, owner);
    await postUpdate(t, fast, textUpdate(4401, 'quick')).expect(200);
    await until(() => sentTo(tg, 4401).length === 1, 'the echo reply');
    expect(typingIn(4401)).toHaveLength(0);

    runtimeUrl.handler = async () => {
      await new Promise((r) => setTimeout(r, 1200)); // an agent that thinks
      return { status: 200, body: { reply: 'thought about it' } };
    };
    try {
      const slow = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtimeUrl.urlFor('/thinking') } });
      const posted = Date.now();
      await postUpdate(t, slow, textUpdate(4402, 'hard question')).expect(200);
      await until(() => sentTo(tg, 4402).length === 1, 'the slow reply', 10_000);
      const [typing] = typingIn(4402);
      expect(typing).toBeDefined();
      expect(typing.at).toBeLessThan(sentTo(tg, 4402)[0].at);
      expect(typing.at - posted).toBeGreaterThanOrEqual(300); // shown after the delay, while the agent worked
      expect(typing.at).toBeGreaterThan(runtimeUrl.callsTo('/thinking')[0].at);
    } finally {
      runtimeUrl.handler = undefined;
    }
  });

  it('"typing…" is shown again every 4 s while the agent works (Telegram clears it after 5 s), and never after the reply', async () => {
    runtimeUrl.handler = async () => {
      await new Promise((r) => setTimeout(r, 4800)); // longer than one typing… lasts
      return { status: 200, body: { reply: 'took a while' } };
    };
    try {
      const slow = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtimeUrl.urlFor('/long-thought') } });
      await postUpdate(t, slow, textUpdate(4403, 'very hard question')).expect(200);
      await until(() => sentTo(tg, 4403).length === 1, 'the slow reply', 15_000);
      await inboundSettled(ds, slow.connectionId, 1);
      const typing = typingIn(4403);
      expect(typing).toHaveLength(2); // at 0.3 s and again at 4.3 s, before the first one faded
      expect(typing[1].at - typing[0].at).toBeGreaterThanOrEqual(3900);
      expect(typing[1].at - typing[0].at).toBeLessThan(5000);
      for (const call of typing) expect(call.at).toBeLessThan(sentTo(tg, 4403)[0].at);
    } finally {
      runtimeUrl.handler = undefined;
    }
  });

  it('a typing… the platform refused (429) is not sent again that turn; the reply still goes out', async () => {
    runtimeUrl.handler = async () => {
      await new Promise((r) => setTimeout(r, 4800));
      return { status: 200, body: { reply: 'still answered' } };
    };
    tg.failNext('sendChatAction', { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 5', parameters: { retry_after: 5 } } });
    try {
      const slow = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtimeUrl.urlFor('/refused-sign') } });
      await postUpdate(t, slow, textUpdate(4404, 'another hard one')).expect(200);
      await until(() => sentTo(tg, 4404).length === 1, 'the reply', 15_000);
      await inboundSettled(ds, slow.connectionId, 1);
      expect(typingIn(4404)).toHaveLength(1);
      expect(sentTo(tg, 4404).map(textOf)).toEqual(['still answered']);
    } finally {
      runtimeUrl.handler = undefined;
    }
  });

  it('the openai runtime gets the system prompt and the conversation history', async () => {
    llm.reply = (messages) => `seen ${messages.length} messages`;
    const bot = await connectTelegramBot(t, tg, owner, {
      runtime: { type: 'openai', baseUrl: `${llm.url}/v1`, model: 'test-model', apiKey: 'sk-test-key-123456', systemPrompt: 'You are terse.' },
    });
    await postUpdate(t, bot, textUpdate(444, 'first')).expect(200);
    await until(() => sentTo(tg, 444).length === 1, 'first reply');
    await postUpdate(t, bot, textUpdate(444, 'second')).expect(200);
    await until(() => sentTo(tg, 444).length === 2, 'second reply');
    const calls = llm.callsTo('chat.completions');
    const last = calls[calls.length - 1];
    expect(last.headers.authorization).toBe('Bearer sk-test-key-123456');
    expect((last.body as { model: string }).model).toBe('test-model');
    expect((last.body as { messages: unknown[] }).messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'seen 2 messages' },
      { role: 'user', content: 'second' },
    ]);
    expect(sentTo(tg, 444).map(textOf)).toEqual(['seen 2 messages', 'seen 4 messages']);
  });

  it('runtime failures are retried, then the user gets an apology and the event is failed with the reason', async () => {
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'openai', baseUrl: `${llm.url}/v1`, model: 'm' } });
    llm.failNext('chat.completions', { status: 503, body: { error: { message: 'overloaded' } } }, 4);
    const before = llm.callsTo('chat.completions').length;
    await postUpdate(t, bot, textUpdate(555, 'hello?')).expect(200);
    await until(() => sentTo(tg, 555).length === 1, 'apology');
    expect(textOf(sentTo(tg, 555)[0])).toBe(UNAVAILABLE_REPLY);
    expect(llm.callsTo('chat.completions').length - before).toBe(4); // first try + 3 retries
    await until(async () => (await eventRows(bot.connectionId))[0]?.status === 'failed', 'failed status');
    expect((await eventRows(bot.connectionId))[0].error).toMatch(/agent runtime failed: the model API answered 503/);
  });

  it('the http runtime is signed like our webhooks (verified with standardwebhooks) and its memories are stored', async () => {
    runtimeUrl.handler = (call) => ({ status: 200, body: { reply: `you said: ${(call.body as { messages: { content: string }[] }).messages.at(-1)?.content}`, memories: [{ type: 'fact', content: 'likes tea', importance: 0.7 }] } });
    const agent = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'Http agent', runtime: { type: 'http', url: runtimeUrl.urlFor('/agent') } }).expect(201);
    const secret = agent.body.runtime.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const shown = await t.http().get(`/v1/teams/${owner.teamId}/agents/${agent.body.id}`).set(owner.auth).expect(200);
    expect(shown.body.runtime.secret).toBe(`…${secret.slice(-4)}`);
    const res = await t.http().post(`/v1/teams/${owner.teamId}/agents/${agent.body.id}/chat`).set(owner.auth).send({ text: 'I like tea' }).expect(200);
    expect(res.body).toMatchObject({ reply: 'you said: I like tea', conversationId: expect.any(String), messageId: expect.any(String) });
    const call = runtimeUrl.callsTo('/agent').at(-1) as RecordedCall;
    const headers = Object.fromEntries(Object.entries(call.headers).map(([k, v]) => [k, String(v)]));
    expect(() => new Webhook(secret).verify(call.rawBody, headers)).not.toThrow();
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(call.rawBody, headers)).toThrow();
    expect(JSON.parse(call.rawBody)).toMatchObject({ agent: { id: agent.body.id }, conversation: { id: res.body.conversationId }, messages: [{ role: 'user', content: 'I like tea' }] });
    const memories = await ds.query('SELECT type, content, importance FROM agent_memory WHERE agent_id = $1', [agent.body.id]);
    expect(memories).toEqual([{ type: 'fact', content: 'likes tea', importance: 0.7 }]);
    // the conversation continues with history
    await t.http().post(`/v1/teams/${owner.teamId}/agents/${agent.body.id}/chat`).set(owner.auth).send({ text: 'and coffee', conversationId: res.body.conversationId }).expect(200);
    expect(JSON.parse((runtimeUrl.callsTo('/agent').at(-1) as RecordedCall).rawBody).messages).toHaveLength(3);
  });

  it('POST …/chat answers through echo and openai; validation names the field; paused agents answer nothing', async () => {
    const echo = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'Echo' }).expect(201);
    const r = await t.http().post(`/v1/teams/${owner.teamId}/agents/${echo.body.id}/chat`).set(owner.auth).send({ text: 'ping' }).expect(200);
    expect(r.body.reply).toBe('ping');
    llm.reply = () => 'from the model';
    const ai = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'AI', runtime: { type: 'openai', baseUrl: llm.url, model: 'x' } }).expect(201);
    const r2 = await t.http().post(`/v1/teams/${owner.teamId}/agents/${ai.body.id}/chat`).set(owner.auth).send({ text: 'hi' }).expect(200);
    expect(r2.body.reply).toBe('from the model');
    const bad = await t.http().post(`/v1/teams/${owner.teamId}/agents/${echo.body.id}/chat`).set(owner.auth).send({ text: '' }).expect(400);
    expect(bad.body.details[0].field).toBe('text');
    const badRuntime = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'X', runtime: { type: 'openai', model: 'm' } }).expect(400);
    expect(badRuntime.body.details[0].field).toBe('runtime.baseUrl');
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${echo.body.id}`).set(owner.auth).send({ status: 'paused' }).expect(200);
    const paused = await t.http().post(`/v1/teams/${owner.teamId}/agents/${echo.body.id}/chat`).set(owner.auth).send({ text: 'ping' }).expect(409);
    expect(paused.body.message).toContain('paused');
  });

  it('conversations silent for CONVERSATION_IDLE_MINUTES are completed by the scheduled job', async () => {
    const agent = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'Idle' }).expect(201);
    const chat = await t.http().post(`/v1/teams/${owner.teamId}/agents/${agent.body.id}/chat`).set(owner.auth).send({ text: 'hi' }).expect(200);
    const svc = t.app.get(ConversationsService);
    expect(await svc.completeIdle(30)).toBe(0); // just talked: not idle (control)
    clock.advance(31 * 60_000);
    try {
      expect(await svc.completeIdle(30)).toBeGreaterThanOrEqual(1);
    } finally {
      clock.reset();
    }
    const list = await t.http().get(`/v1/teams/${owner.teamId}/agents/${agent.body.id}/conversations?status=completed`).set(owner.auth).expect(200);
    expect(list.body.data.map((c: { id: string }) => c.id)).toEqual([chat.body.conversationId]);
    await t.http().post(`/v1/teams/${owner.teamId}/agents/${agent.body.id}/chat`).set(owner.auth).send({ text: 'again', conversationId: chat.body.conversationId }).expect(409);
  });

  it('a paused agent answers nothing on its platform; the event is recorded as ignored', async () => {
    const bot = await connectTelegramBot(t, tg, owner);
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${bot.agentId}`).set(owner.auth).send({ status: 'paused' }).expect(200);
    await postUpdate(t, bot, textUpdate(666, 'anyone?')).expect(200);
    await until(async () => (await eventRows(bot.connectionId))[0]?.status === 'ignored', 'ignored');
    expect((await eventRows(bot.connectionId))[0].error).toBe('the agent is paused');
    expect(sentTo(tg, 666)).toHaveLength(0);
  });

  it('the sweeper re-enqueues a stored event whose job was lost (Redis flushed)', async () => {
    const bot = await connectTelegramBot(t, tg, owner);
    const processor = t.app.get(InboundProcessor);
    const queue = t.app.get<Queue>(getQueueToken('inbound'));
    await processor.worker.pause();
    try {
      await postUpdate(t, bot, textUpdate(777, 'lost and found')).expect(200);
      await queue.obliterate({ force: true }); // what a FLUSHALL does to us: the jobs and the wake-up list are gone
      await t.app.get(RedisClient).client.del(t.app.get(InboundWakeups).key);
      expect(await eventRows(bot.connectionId)).toEqual([expect.objectContaining({ status: 'received' })]);
      expect(await t.app.get(InboundSweeper).sweep(0)).toBe(1);
    } finally {
      processor.worker.resume();
    }
    await until(() => sentTo(tg, 777).length === 1, 'reply after the sweep');
    expect(await t.app.get(InboundSweeper).sweep(0)).toBe(0);
  });
});

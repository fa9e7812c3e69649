import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { FakeSlackApi, FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { connectSlackApp } from '../factories/slack';
import { RecordedCall } from '../fakes/fake-http-server';
import { connectTelegramBot, postUpdate, sentTexts, textUpdate, TelegramBotFixture } from '../factories/telegram';
import { Actor, memberOf, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const verifies = (secret: string, c: RecordedCall): boolean => {
  try {
    new Webhook(secret).verify(c.rawBody, { 'webhook-id': String(c.headers['webhook-id']), 'webhook-timestamp': String(c.headers['webhook-timestamp']), 'webhook-signature': String(c.headers['webhook-signature']) });
    return true;
  } catch {
    return false;
  }
};

/** POST …/agents/:agentId/messages against the fake Telegram Bot API, with a webhook receiver for `message.created`. */
describe('proactive messages (e2e)', () => {
  let t: TestApp;
  let tg: FakeTelegramApi;
  let rx: FakeWebhookReceiver;
  let slack: FakeSlackApi;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let other: Actor & { teamId: string };
  let bot: TelegramBotFixture;
  const send = (b: TelegramBotFixture, body: Record<string, unknown>, as: Actor & { teamId?: string } = owner, teamId = owner.teamId) =>
    t.http().post(`/v1/teams/${teamId}/agents/${b.agentId}/messages`).set(as.auth).send({ connectionId: b.connectionId, ...body });

  beforeAll(async () => {
    [tg, rx, slack] = await Promise.all([new FakeTelegramApi().start(), new FakeWebhookReceiver().start(), new FakeSlackApi().start()]);
    t = await createTestApp({ env: { TELEGRAM_API_ROOT: tg.url, SLACK_API_URL: `${slack.url}/api/`, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', CONNECTION_HEALTH_INTERVAL_S: '0', TELEGRAM_POLL_SCAN_MS: '0' } });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Proactive');
    other = await ownerWithTeam(t, 'Other');
    bot = await connectTelegramBot(t, tg, owner);
  });

  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), rx.stop(), slack.stop()]);
  });

  it('sends through the connector, stores the message in the chat’s conversation and fires message.created', async () => {
    const ep = await t.http().post(`/v1/teams/${owner.teamId}/webhooks`).set(owner.auth).send({ url: rx.urlFor('/events'), eventTypes: ['message.created'] }).expect(201);
    // the user wrote first: the proactive message joins the same conversation
    await postUpdate(t, bot, textUpdate(4242, 'hello')).expect(200);
    await until(() => sentTexts(tg, 4242).length === 1, 'the reply to the user');

    const res = await send(bot, { chatId: '4242', text: 'Deploy **v1.4.0** finished & <ok>' }).expect(201);
    expect(res.body).toMatchObject({ messageId: expect.any(String), conversationId: expect.any(String), parts: 1, externalMessageId: expect.any(String) });
    const sent = tg.callsTo('sendMessage').filter((c) => String((c.body as { chat_id: unknown }).chat_id) === '4242');
    expect(sent).toHaveLength(2);
    expect(sent[1].body).toMatchObject({ text: 'Deploy <b>v1.4.0</b> finished &amp; &lt;ok&gt;', parse_mode: 'HTML' });

    const convs = (await ds.query(`SELECT id FROM conversation WHERE connection_id = $1 AND external_chat_id = '4242'`, [bot.connectionId])) as { id: string }[];
    expect(convs).toEqual([{ id: res.body.conversationId }]);
    const msgs = (await ds.query(`SELECT id, role, content, metadata FROM message WHERE conversation_id = $1 ORDER BY seq`, [res.body.conversationId])) as { id: string; role: string; content: string; metadata: Record<string, unknown> }[];
    expect(msgs.map((m) => m.role)).toEqual(['user', 'assistant', 'assistant']);
    expect(msgs[2]).toMatchObject({ id: res.body.messageId, content: 'Deploy **v1.4.0** finished & <ok>', metadata: { proactive: true, deliveredParts: 1 } });

    await until(() => rx.calls.some((c) => JSON.parse(c.rawBody).data?.message_id === res.body.messageId), 'message.created for the proactive message');
    const call = rx.calls.find((c) => JSON.parse(c.rawBody).data?.message_id === res.body.messageId) as RecordedCall;
    expect(verifies(ep.body.secret, call)).toBe(true);
    expect(JSON.parse(call.rawBody)).toMatchObject({ type: 'message.created', data: { role: 'assistant', conversation_id: res.body.conversationId, agent_id: bot.agentId, platform: 'telegram' } });
  });

  it('opens a conversation for a chat nobody wrote in yet, splits long text, keeps the thread, and sends actions as buttons', async () => {
    const long = Array.from({ length: 900 }, (_, i) => `line ${i}`).join('\n'); // > 4096 characters
    const res = await send(bot, { chatId: '-1001', threadId: '7', text: long, actions: [{ id: 'ack', label: 'Acknowledge', style: 'primary', value: 'x' }] }).expect(201);
    expect(res.body.parts).toBeGreaterThan(1);
    const sent = tg.callsTo('sendMessage').filter((c) => String((c.body as { chat_id: unknown }).chat_id) === '-1001');
    expect(sent).toHaveLength(res.body.parts);
    for (const c of sent) expect((c.body as { message_thread_id: unknown }).message_thread_id).toBe(7);
    const [conv] = (await ds.query(`SELECT external_thread_id, platform FROM conversation WHERE id = $1`, [res.body.conversationId])) as Record<string, unknown>[];
    expect(conv).toEqual({ external_thread_id: '7', platform: 'telegram' });
    const [m] = (await ds.query(`SELECT metadata FROM message WHERE id = $1`, [res.body.messageId])) as { metadata: Record<string, unknown> }[];
    expect(m.metadata.actions).toEqual([{ id: 'ack', label: 'Acknowledge', style: 'primary', value: 'x' }]);
    // the buttons ride on the last part; their set is recorded with the stored message
    const markups = sent.map((c) => (c.body as { reply_markup?: unknown }).reply_markup).filter(Boolean);
    expect(markups).toHaveLength(1);
    const keyboard = (typeof markups[0] === 'string' ? JSON.parse(markups[0]) : markups[0]) as { inline_keyboard: { text: string; callback_data: string }[][] };
    const [[button]] = keyboard.inline_keyboard;
    expect(button.text).toBe('Acknowledge');
    expect(button.callback_data).toMatch(/^[0-9a-f-]{36}\.0$/);
    const [set] = (await ds.query(`SELECT id, status, external_message_id FROM message_action WHERE message_id = $1`, [res.body.messageId])) as { id: string; status: string; external_message_id: string | null }[];
    expect(set).toMatchObject({ id: button.callback_data.split('.')[0], status: 'pending' });
    expect(set.external_message_id).not.toBeNull();
    // a click decides it, like a reply's buttons
    await postUpdate(t, bot, {
      update_id: 990_001,
      callback_query: { id: 'cq-proactive', from: { id: 77, is_bot: false, first_name: 'Ada' }, data: button.callback_data, message: { message_id: Number(set.external_message_id), message_thread_id: 7, chat: { id: -1001, type: 'supergroup', title: 'Ops' } } },
    }).expect(200);
    await until(async () => ((await ds.query(`SELECT status FROM message_action WHERE id = $1`, [set.id])) as { status: string }[])[0].status !== 'pending', 'the click decided');
  });

  it('answers 429 with Retry-After when Telegram rate limits, and stores nothing', async () => {
    tg.failNext((c) => c.path.endsWith('/sendMessage') && String((c.body as { chat_id: unknown }).chat_id) === '5151', {
      status: 429,
      body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } },
    });
    const res = await send(bot, { chatId: '5151', text: 'hi' }).expect(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.body).toMatchObject({ statusCode: 429 });
    expect(res.body.message).toMatch(/rate limit.*retry after 7 s \(nothing was sent or stored\)/);
    const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM conversation WHERE connection_id = $1 AND external_chat_id = '5151'`, [bot.connectionId])) as { n: number }[];
    expect(n).toBe(0);
  });

  it('a chat the bot cannot reach → 422', async () => {
    tg.failNext((c) => c.path.endsWith('/sendMessage') && String((c.body as { chat_id: unknown }).chat_id) === '6161', {
      status: 400,
      body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' },
    });
    const res = await send(bot, { chatId: '6161', text: 'hi' }).expect(422);
    expect(res.body.message).toMatch(/chat not found/);
  });

  it('refuses: another team 404, a connection of another agent 404, bad body 400, paused 409, a member 403; a write key may send', async () => {
    await send(bot, { chatId: '1', text: 'x' }, other, other.teamId).expect(404);
    await send(bot, { chatId: '1', text: 'x' }, other).expect(404);
    const second = await connectTelegramBot(t, tg, owner);
    await t.http().post(`/v1/teams/${owner.teamId}/agents/${bot.agentId}/messages`).set(owner.auth).send({ connectionId: second.connectionId, chatId: '1', text: 'x' }).expect(404);
    const otherBot = await connectTelegramBot(t, tg, other);
    await t.http().post(`/v1/teams/${owner.teamId}/agents/${bot.agentId}/messages`).set(owner.auth).send({ connectionId: otherBot.connectionId, chatId: '1', text: 'x' }).expect(404);

    for (const [body, field] of [
      [{ chatId: '1' }, 'text'],
      [{ chatId: '1', text: '   ' }, 'text'],
      [{ text: 'x' }, 'chatId'],
      [{ chatId: '1', text: 'x', connectionId: 'nope' }, 'connectionId'],
      [{ chatId: '1', text: 'x', actions: [{ label: 'no id' }] }, 'actions.0.id'],
      [{ chatId: '1', text: 'x', actions: [{ id: 'a', label: 'A', style: 'loud' }] }, 'actions.0.style'],
      [{ chatId: '1', text: 'x', extra: true }, 'extra'],
    ] as [Record<string, unknown>, string][]) {
      const r = await send(bot, body).expect(400);
      expect(r.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }

    const member = await memberOf(t, owner, owner.teamId, 'member');
    await send(bot, { chatId: '1', text: 'x' }, member).expect(403);
    const readKey = (await t.http().post(`/v1/teams/${owner.teamId}/api-keys`).set(owner.auth).send({ name: 'ro', scopes: ['read'] }).expect(201)).body.key as string;
    await send(bot, { chatId: '1', text: 'x' }, { auth: { Authorization: `Bearer ${readKey}` } } as Actor).expect(403);
    const writeKey = (await t.http().post(`/v1/teams/${owner.teamId}/api-keys`).set(owner.auth).send({ name: 'ci', scopes: ['write'] }).expect(201)).body.key as string;
    await send(bot, { chatId: '8080', text: 'from CI' }, { auth: { Authorization: `Bearer ${writeKey}` } } as Actor).expect(201);
    expect(sentTexts(tg, 8080)).toEqual(['from CI']);

    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${bot.agentId}/connections/${bot.connectionId}`).set(owner.auth).send({ status: 'paused' }).expect(200);
    expect((await send(bot, { chatId: '1', text: 'x' }).expect(409)).body.message).toMatch(/connection is paused/);
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${bot.agentId}/connections/${bot.connectionId}`).set(owner.auth).send({ status: 'active' }).expect(200);
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${bot.agentId}`).set(owner.auth).send({ status: 'paused' }).expect(200);
    expect((await send(bot, { chatId: '1', text: 'x' }).expect(409)).body.message).toMatch(/agent is paused/);
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${bot.agentId}`).set(owner.auth).send({ status: 'active' }).expect(200);
    expect(sentTexts(tg, 1)).toEqual([]);
  });

  it('Slack: posts mrkdwn in the thread, stores it; a 429 answers 429 with the Retry-After Slack gave', async () => {
    const app = await connectSlackApp(t, slack, owner);
    const res = await t
      .http()
      .post(`/v1/teams/${owner.teamId}/agents/${app.agentId}/messages`)
      .set(owner.auth)
      .send({ connectionId: app.connectionId, chatId: 'C0ALERTS', threadId: '1700000000.000100', text: 'Build **failed** on `main`' })
      .expect(201);
    const post = slack.callsTo('chat.postMessage').find((c) => (c.body as { channel: string }).channel === 'C0ALERTS');
    expect(post?.body).toMatchObject({ channel: 'C0ALERTS', thread_ts: '1700000000.000100', text: 'Build *failed* on `main`' });
    const [conv] = (await ds.query(`SELECT platform, external_chat_id, external_thread_id FROM conversation WHERE id = $1`, [res.body.conversationId])) as Record<string, unknown>[];
    expect(conv).toEqual({ platform: 'slack', external_chat_id: 'C0ALERTS', external_thread_id: '1700000000.000100' });
    expect(res.body.externalMessageId).toEqual(expect.any(String));

    slack.failNext((c) => c.path.endsWith('/chat.postMessage'), { status: 429, headers: { 'Retry-After': '4' }, body: { ok: false, error: 'ratelimited' } });
    const limited = await t.http().post(`/v1/teams/${owner.teamId}/agents/${app.agentId}/messages`).set(owner.auth).send({ connectionId: app.connectionId, chatId: 'C0ALERTS', text: 'again' }).expect(429);
    expect(limited.headers['retry-after']).toBe('4');
  });
});

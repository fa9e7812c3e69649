import { DataSource } from 'typeorm';
import { UNAVAILABLE_REPLY } from '../../src/conversations/agent-turn.service';
import { FakeAgentRuntime, FakeOpenAiApi, FakeSlackApi, FakeTelegramApi } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { validateTelegramHtml } from '../fakes/telegram.fake';
import { connectSlackApp, eventEnvelope, nextTs, postSigned } from '../factories/slack';
import { connectTelegramBot, postUpdate, TelegramBotFixture, textUpdate } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

type TgBody = { chat_id: unknown; message_id?: number; text: string; parse_mode?: string };
const tb = (c: RecordedCall): TgBody => c.body as TgBody;
/** sendMessage and editMessageText calls to one chat, in order. */
const tgCalls = (tg: FakeTelegramApi, chat: number): RecordedCall[] =>
  tg.calls.filter((c) => /\/(sendMessage|editMessageText|deleteMessage)$/.test(c.path) && String(tb(c).chat_id) === String(chat));
const method = (c: RecordedCall): string => c.path.split('/').pop() as string;
/** Gaps between consecutive calls (as the fake received them), in ms. */
const gaps = (calls: RecordedCall[]): number[] => calls.slice(1).map((c, i) => c.at - calls[i].at);

const words = (n: number, word = 'token'): string => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');

describe('Streamed replies (e2e against the fakes)', () => {
  let tg: FakeTelegramApi;
  let slack: FakeSlackApi;
  let llm: FakeOpenAiApi;
  let agentRt: FakeAgentRuntime;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let streamBot: TelegramBotFixture;
  let chat = 50_000;

  const events = (connectionId: string): Promise<{ status: string; error: string | null; reply_message_id: string | null }[]> =>
    ds.query('SELECT status, error, reply_message_id FROM inbound_event WHERE connection_id = $1 ORDER BY seq', [connectionId]);
  const storedReply = async (connectionId: string): Promise<string | undefined> =>
    ((await ds.query(`SELECT m.content FROM inbound_event e JOIN message m ON m.id = e.reply_message_id WHERE e.connection_id = $1 ORDER BY e.seq DESC LIMIT 1`, [connectionId])) as { content: string }[])[0]?.content;
  const done = (connectionId: string, n = 1): Promise<void> =>
    until(async () => (await events(connectionId)).filter((e) => e.status === 'done' || e.status === 'failed').length >= n, 'the event settled', 30_000);

  beforeAll(async () => {
    [tg, slack, llm, agentRt] = await Promise.all([new FakeTelegramApi().start(), new FakeSlackApi().start(), new FakeOpenAiApi({ streamDelayMs: 60 }).start(), new FakeAgentRuntime({ streamDelayMs: 60 }).start()]);
    t = await createTestApp({
      env: {
        TELEGRAM_API_ROOT: tg.url,
        SLACK_API_URL: `${slack.url}/api/`,
        CONNECTION_HEALTH_INTERVAL_S: '0',
        INBOUND_SWEEP_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
        PUBLIC_BASE_URL: 'https://sb.example.com',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        AGENT_RETRY_DELAYS_MS: '300,300',
      },
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Streaming');
    streamBot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'openai', baseUrl: llm.url, model: 'm', stream: true } });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), slack.stop(), llm.stop(), agentRt.stop()]);
  });
  beforeEach(() => {
    llm.streamDelayMs = 60;
    agentRt.streamDelayMs = 60;
  });

  it('the openai runtime config takes stream: true (and refuses a non-boolean)', async () => {
    const agent = await t.http().get(`/v1/teams/${owner.teamId}/agents/${streamBot.agentId}`).set(owner.auth).expect(200);
    expect(agent.body.runtime).toMatchObject({ type: 'openai', stream: true });
    const bad = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'x', runtime: { type: 'openai', baseUrl: llm.url, model: 'm', stream: 'yes' } }).expect(400);
    expect(JSON.stringify(bad.body)).toContain('runtime.stream');
  });

  it('Telegram: the first words go out at once, then edits at most once a second, and the final edit is formatted', async () => {
    const c = ++chat;
    const finalText = `**Answer:** ${words(40)} _done_`;
    llm.reply = () => finalText;
    const before = llm.firstTokenAt.length;
    await postUpdate(t, streamBot, textUpdate(c, 'stream please')).expect(200);
    await done(streamBot.connectionId, 1);
    const calls = tgCalls(tg, c);
    expect(method(calls[0])).toBe('sendMessage');
    expect(tb(calls[0]).parse_mode).toBeUndefined(); // intermediate: plain text
    expect(tb(calls[0]).text.length).toBeLessThan(60); // only the first words
    expect(calls[0].at - llm.firstTokenAt[before]).toBeLessThan(1000);
    const edits = calls.filter((x) => method(x) === 'editMessageText');
    expect(edits.length).toBeGreaterThanOrEqual(3); // ~2.5 s of streaming: intermediate edits plus the final one
    expect(calls.filter((x) => method(x) === 'sendMessage')).toHaveLength(1);
    for (const g of gaps(calls)) expect(g).toBeGreaterThanOrEqual(1000);
    const last = tb(calls.at(-1) as RecordedCall);
    expect(last).toMatchObject({ parse_mode: 'HTML', message_id: edits[0] && tb(edits[0]).message_id });
    expect(last.text).toContain('<b>Answer:</b>');
    expect(last.text).toContain('<i>done</i>');
    expect(validateTelegramHtml(last.text)).toBeNull();
    expect(tg.messageText(streamBot.token, c, Number(last.message_id))).toBe(`Answer: ${words(40)} done`);
    expect(await storedReply(streamBot.connectionId)).toBe(finalText);
  });

  it('Telegram: a long streamed reply rolls into new messages before 4096 characters; the final text fills them, formatted', async () => {
    const c = ++chat;
    const para = (i: number): string => `Part ${i} **bold** ${'lorem ipsum dolor sit amet '.repeat(20)}`;
    const long = Array.from({ length: 17 }, (_, i) => para(i)).join('\n\n'); // ~9,300 characters → 3 messages
    llm.reply = () => long;
    llm.streamDelayMs = 5; // ~1,550 words over ≥ 7.7 s: time for the stream itself to roll over (1 call per second)
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'openai', baseUrl: llm.url, model: 'm', stream: true } });
    await postUpdate(t, bot, textUpdate(c, 'write a lot')).expect(200);
    await done(bot.connectionId);
    const calls = tgCalls(tg, c);
    const sends = calls.filter((x) => method(x) === 'sendMessage');
    expect(sends.length).toBe(3);
    expect(sends.filter((x) => tb(x).parse_mode === undefined).length).toBeGreaterThanOrEqual(2); // rolled over while streaming
    for (const x of calls) expect([...tb(x).text.replace(/<[^>]+>/g, '')].length).toBeLessThanOrEqual(4096);
    for (const g of gaps(calls)) expect(g).toBeGreaterThanOrEqual(1000);
    // every message ends formatted: the final pass touches each of the 3 once, with HTML; together they show the reply
    const finals = calls.filter((x) => tb(x).parse_mode === 'HTML');
    expect(finals).toHaveLength(3);
    for (const f of finals) expect(validateTelegramHtml(tb(f).text)).toBeNull();
    expect(calls.filter((x) => method(x) === 'editMessageText').every((x) => x.at <= finals[0].at || tb(x).parse_mode === 'HTML')).toBe(true);
    const messages = tg.chatMessages(bot.token, c);
    expect(messages).toHaveLength(3);
    expect(messages.map((m) => m.text).join(' ').replace(/\s+/g, ' ')).toBe(long.replace(/\*\*/g, '').replace(/\s+/g, ' ').trim());
    expect(await storedReply(bot.connectionId)).toBe(long);
  }, 90_000);

  it('Telegram + http runtime: text/event-stream {delta} pieces and {done, text} — the final text is the done event\'s', async () => {
    const c = ++chat;
    agentRt.reply = () => `Hello from **http** ${words(12, 'w')}`;
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: `${agentRt.url}/agent` } });
    await postUpdate(t, bot, textUpdate(c, 'hi')).expect(200);
    await done(bot.connectionId);
    const turn = agentRt.lastCall('turn') as RecordedCall;
    expect(turn.headers.accept).toContain('text/event-stream');
    const calls = tgCalls(tg, c);
    expect(method(calls[0])).toBe('sendMessage');
    expect(tb(calls.at(-1) as RecordedCall)).toMatchObject({ parse_mode: 'HTML', text: expect.stringContaining('<b>http</b>') });
    expect(await storedReply(bot.connectionId)).toBe(`Hello from **http** ${words(12, 'w')}`);
  });

  it('the chat API takes a streamed http answer whole', async () => {
    agentRt.reply = () => 'whole answer';
    const agent = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'SSE chat', runtime: { type: 'http', url: `${agentRt.url}/chat` } }).expect(201);
    const res = await t.http().post(`/v1/teams/${owner.teamId}/agents/${agent.body.id}/chat`).set(owner.auth).send({ text: 'hello' }).expect(200);
    expect(res.body).toMatchObject({ reply: 'whole answer' });
  });

  it('Slack: chat.postMessage with the first words, chat.update at most once a second, the final update with blocks', async () => {
    agentRt.reply = () => `*Slack* answer ${words(40)} **end**`;
    const app = await connectSlackApp(t, slack, owner, { runtime: { type: 'http', url: `${agentRt.url}/slack` } });
    const channel = `C${Date.now()}`;
    const ts = nextTs();
    await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> go`, ts, channel }))).expect(200);
    await done(app.connectionId);
    const calls = slack.calls.filter((x) => ['/api/chat.postMessage', '/api/chat.update'].includes(x.path) && (x.body as { channel: string }).channel === channel);
    const body = (x: RecordedCall): { text: string; blocks?: string; thread_ts?: string; ts?: string } => x.body as never;
    expect(calls[0].path).toBe('/api/chat.postMessage');
    expect(body(calls[0]).thread_ts).toBe(ts);
    expect(body(calls[0]).blocks).toBeUndefined();
    const updates = calls.filter((x) => x.path === '/api/chat.update');
    expect(updates.length).toBeGreaterThanOrEqual(3);
    expect(calls.filter((x) => x.path === '/api/chat.postMessage')).toHaveLength(1);
    for (const g of gaps(calls)) expect(g).toBeGreaterThanOrEqual(1000);
    const last = body(calls.at(-1) as RecordedCall);
    expect(last.blocks).toBeDefined();
    expect(JSON.stringify(last.blocks)).toContain('*end*');
    expect(await storedReply(app.connectionId)).toBe(`*Slack* answer ${words(40)} **end**`);
  });

  it('a stream cut mid-way (connection reset) marks what was shown interrupted, retries, and sends the final text once', async () => {
    const c = ++chat;
    const finalText = `Retried ${words(10)}`;
    llm.reply = () => finalText;
    llm.streamDelayMs = 30;
    llm.cutNextStreamAfter = 4;
    const before = llm.callsTo('chat.completions').length;
    await postUpdate(t, streamBot, textUpdate(c, 'flaky')).expect(200);
    await until(async () => (await events(streamBot.connectionId)).at(-1)?.status === 'done', 'done after the retry', 30_000);
    expect(llm.callsTo('chat.completions').length - before).toBe(2);
    const calls = tgCalls(tg, c);
    const sends = calls.filter((x) => method(x) === 'sendMessage');
    expect(sends).toHaveLength(2); // the cut attempt's message, then the retry's
    const firstId = calls.find((x) => method(x) === 'editMessageText' && String(tb(x).text).endsWith('(interrupted)'));
    expect(firstId).toBeDefined();
    const finals = calls.filter((x) => tb(x).parse_mode === 'HTML');
    expect(finals).toHaveLength(1);
    expect(finals[0].body).toMatchObject({ text: finalText });
    for (const g of gaps(calls)) expect(g).toBeGreaterThanOrEqual(1000);
  });

  it('an error event mid-stream is not retried: the apology replaces the streamed message and the event fails', async () => {
    const c = ++chat;
    agentRt.reply = () => words(8);
    agentRt.errorNextStream = 'quota exceeded';
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: `${agentRt.url}/err` } });
    await postUpdate(t, bot, textUpdate(c, 'hi')).expect(200);
    await done(bot.connectionId);
    expect((await events(bot.connectionId))[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('quota exceeded') });
    const calls = tgCalls(tg, c);
    expect(calls.filter((x) => method(x) === 'sendMessage')).toHaveLength(1);
    const last = calls.at(-1) as RecordedCall;
    expect(method(last)).toBe('editMessageText');
    expect(tg.messageText(bot.token, c, Number(tb(last).message_id))).toBe(UNAVAILABLE_REPLY);
  });

  it('a failure after the reply was stored resends the stored final text once (never asks the runtime again)', async () => {
    const c = ++chat;
    const finalText = `Stored **once** ${words(6)}`;
    llm.reply = () => finalText;
    const before = llm.callsTo('chat.completions').length;
    tg.failNext((x) => x.path.endsWith('/editMessageText') && String(tb(x).chat_id) === String(c) && tb(x).parse_mode === 'HTML', { status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } });
    await postUpdate(t, streamBot, textUpdate(c, 'crash after store')).expect(200);
    await until(async () => (await events(streamBot.connectionId)).at(-1)?.status === 'done', 'done after the resend', 30_000);
    expect(llm.callsTo('chat.completions').length - before).toBe(1);
    const calls = tgCalls(tg, c);
    const finals = calls.filter((x) => tb(x).parse_mode === 'HTML');
    expect(finals).toHaveLength(2); // the failed final edit, then the retry's
    expect(finals.every((x) => method(x) === 'editMessageText' && tb(x).message_id === tb(finals[0]).message_id)).toBe(true);
    expect(calls.filter((x) => method(x) === 'sendMessage')).toHaveLength(1);
    expect(tg.messageText(streamBot.token, c, Number(tb(finals[0]).message_id))).toBe(`Stored once ${words(6)}`);
  });

  it('429 while streaming: intermediate edits wait out retry_after, and a 429 on the final edit holds the event until it goes through', async () => {
    const c = ++chat;
    const finalText = `Rate **limited** ${words(30)}`;
    llm.reply = () => finalText;
    const tooMany = { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 2', parameters: { retry_after: 2 } } };
    tg.failNext((x) => x.path.endsWith('/editMessageText') && String(tb(x).chat_id) === String(c) && tb(x).parse_mode === undefined, tooMany);
    tg.failNext((x) => x.path.endsWith('/editMessageText') && String(tb(x).chat_id) === String(c) && tb(x).parse_mode === 'HTML', tooMany);
    await postUpdate(t, streamBot, textUpdate(c, 'busy chat')).expect(200);
    await until(async () => (await events(streamBot.connectionId)).at(-1)?.status === 'done', 'done after the 429s', 30_000);
    const calls = tgCalls(tg, c);
    const limited = calls.filter((x) => method(x) === 'editMessageText').slice(0, 1)[0];
    const after = calls[calls.indexOf(limited) + 1];
    expect(after.at - limited.at).toBeGreaterThanOrEqual(2000);
    const finals = calls.filter((x) => tb(x).parse_mode === 'HTML');
    expect(finals).toHaveLength(2);
    expect(finals[1].at - finals[0].at).toBeGreaterThanOrEqual(2000);
    expect(tg.messageText(streamBot.token, c, Number(tb(finals[1]).message_id))).toBe(`Rate limited ${words(30)}`);
    for (const g of gaps(calls)) expect(g).toBeGreaterThanOrEqual(1000);
  });
});

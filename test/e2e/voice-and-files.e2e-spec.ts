import { DataSource } from 'typeorm';
import { KeyRotationService } from '../../src/crypto/key-rotation.service';
import { LOG_DESTINATION } from '../../src/logging/logging.module';
import { FakeOpenAiApi, FakeSlackApi, FakeTelegramApi, FakeWebhookReceiver } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { connectSlackApp, eventEnvelope, nextTs, postSigned } from '../factories/slack';
import { connectTelegramBot, postUpdate, sentTexts, textUpdate } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { LogCapture } from '../utils/log-capture';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const STT_KEY = 'sk-stt-0123456789abcdefSECRET';
const MAX_BYTES = 4096;

/** A Telegram message without text, carrying `media` (voice, photo, document…). */
function mediaUpdate(chatId: number, media: Record<string, unknown>): Record<string, unknown> {
  const u = textUpdate(chatId, 'x');
  const m = u.message as Record<string, unknown>;
  delete m.text;
  Object.assign(m, media);
  return u;
}

type RuntimeBody = { messages: { role: string; content: string }[]; attachments?: { type: string; mimeType: string; name?: string; size: number; data?: string; url?: string }[] };

describe('Voice and files (e2e: Telegram and Slack fakes, an OpenAI-compatible fake for speech-to-text)', () => {
  let tg: FakeTelegramApi;
  let slack: FakeSlackApi;
  let stt: FakeOpenAiApi;
  let llm: FakeOpenAiApi;
  let runtime: FakeWebhookReceiver;
  let logs: LogCapture;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let chat = 50_000;
  const transcription = (): Record<string, unknown> => ({ baseUrl: stt.url, model: 'whisper-1', apiKey: STT_KEY });
  const userMessage = async (chatId: string): Promise<{ content: string; metadata: Record<string, unknown> }> =>
    ((await ds.query("SELECT m.content, m.metadata FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE c.external_chat_id = $1 AND m.role = 'user'", [chatId])) as { content: string; metadata: Record<string, unknown> }[])[0];

  beforeAll(async () => {
    [tg, slack, stt, llm, runtime] = await Promise.all([
      new FakeTelegramApi().start(),
      new FakeSlackApi().start(),
      new FakeOpenAiApi({ requireApiKey: STT_KEY }).start(),
      new FakeOpenAiApi().start(),
      new FakeWebhookReceiver().start(),
    ]);
    runtime.handler = (call) => ({ status: 200, body: { reply: `agent got: ${(call.body as RuntimeBody).messages.at(-1)?.content}` } });
    logs = new LogCapture();
    t = await createTestApp({
      env: {
        TELEGRAM_API_ROOT: tg.url,
        SLACK_API_URL: `${slack.url}/api/`,
        SLACK_FILES_URL: slack.url,
        ATTACHMENT_MAX_BYTES: String(MAX_BYTES),
        VOICE_MAX_SECONDS: '60',
        LOG_LEVEL: 'debug',
        CONNECTION_HEALTH_INTERVAL_S: '0',
        INBOUND_SWEEP_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
        PUBLIC_BASE_URL: 'https://sb.example.com',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      },
      override: (b) => b.overrideProvider(LOG_DESTINATION).useValue(logs),
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Voice');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), slack.stop(), stt.stop(), llm.stop(), runtime.stop()]);
  });

  it('the transcription key is write-only: masked in responses, encrypted at rest, kept when left out, removed with null', async () => {
    const created = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: 'Listener', transcription: transcription() }).expect(201);
    expect(created.body.transcription).toEqual({ baseUrl: stt.url, model: 'whisper-1', apiKey: `…${STT_KEY.slice(-4)}` });
    const id = created.body.id as string;
    const shown = await t.http().get(`/v1/teams/${owner.teamId}/agents/${id}`).set(owner.auth).expect(200);
    expect(shown.body.transcription.apiKey).toBe(`…${STT_KEY.slice(-4)}`);
    const listed = await t.http().get(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).expect(200);
    for (const body of [created.body, shown.body, listed.body]) expect(JSON.stringify(body)).not.toContain(STT_KEY);
    const [row] = (await ds.query('SELECT transcription, transcription_key_encrypted FROM agent WHERE id = $1', [id])) as { transcription: unknown; transcription_key_encrypted: string }[];
    expect(JSON.stringify(row)).not.toContain(STT_KEY);
    expect(row.transcription_key_encrypted).toEqual(expect.any(String));
    expect(t.app.get(KeyRotationService).registered()).toContainEqual(expect.objectContaining({ table: 'agent', column: 'transcription_key_encrypted' }));

    const patched = await t.http().patch(`/v1/teams/${owner.teamId}/agents/${id}`).set(owner.auth).send({ transcription: { baseUrl: stt.url, model: 'whisper-2' } }).expect(200);
    expect(patched.body.transcription).toEqual({ baseUrl: stt.url, model: 'whisper-2', apiKey: `…${STT_KEY.slice(-4)}` });
    const badUrl = await t.http().patch(`/v1/teams/${owner.teamId}/agents/${id}`).set(owner.auth).send({ transcription: { baseUrl: 'ftp://x', model: 'm' } }).expect(400);
    expect(badUrl.body.details[0].field).toBe('transcription.baseUrl');
    const unknown = await t.http().patch(`/v1/teams/${owner.teamId}/agents/${id}`).set(owner.auth).send({ transcription: { baseUrl: stt.url, model: 'm', extra: 1 } }).expect(400);
    expect(unknown.body.details[0].field).toBe('transcription.extra');
    const removed = await t.http().patch(`/v1/teams/${owner.teamId}/agents/${id}`).set(owner.auth).send({ transcription: null }).expect(200);
    expect(removed.body.transcription).toBeNull();
    const [after] = (await ds.query('SELECT transcription_key_encrypted FROM agent WHERE id = $1', [id])) as { transcription_key_encrypted: string | null }[];
    expect(after.transcription_key_encrypted).toBeNull();
    const audit = (await ds.query('SELECT * FROM audit_event WHERE team_id = $1', [owner.teamId])) as unknown[];
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain(STT_KEY);
  });

  it('Telegram: a voice note is downloaded, transcribed, stored as the message text, and the agent answers the transcript', async () => {
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'openai', baseUrl: llm.url, model: 'gpt-test' } });
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${bot.agentId}`).set(owner.auth).send({ transcription: transcription() }).expect(200);
    tg.addFile(bot.token, 'voice-1', Buffer.from('OggS-fake-voice-bytes'), { path: 'voice/file_1.oga' });
    stt.transcribe = (f) => `please book a table (${f.filename}, ${f.size} bytes, ${f.model})`;
    const c = ++chat;
    await postUpdate(t, bot, mediaUpdate(c, { voice: { file_id: 'voice-1', file_unique_id: 'uv1', duration: 3, mime_type: 'audio/ogg', file_size: 21 } })).expect(200);
    await until(() => sentTexts(tg, c).length === 1, 'reply to the voice note');

    const transcript = 'please book a table (audio.ogg, 21 bytes, whisper-1)';
    expect(sentTexts(tg, c)[0]).toBe(`echo: ${transcript}`);
    const call = stt.lastCall('audio.transcriptions') as RecordedCall;
    expect(call.headers.authorization).toBe(`Bearer ${STT_KEY}`);
    expect(call.body).toMatchObject({ model: 'whisper-1', file: { filename: 'audio.ogg', contentType: 'audio/ogg', size: 21 } });
    expect(tg.callsTo('file').map((x) => x.path)).toContain(`/file/bot${bot.token}/voice/file_1.oga`);
    const stored = await userMessage(String(c));
    expect(stored.content).toBe(transcript);
    expect(stored.metadata).toMatchObject({ transcript: true, originalText: '[voice]', attachments: [{ kind: 'voice', fileId: 'voice-1', duration: 3 }] });
    expect(logs.text()).not.toContain(STT_KEY);
  });

  it('transcription failures: a 503 is retried (the user gets the answer), a 400 asks the user to type instead', async () => {
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtime.urlFor('/stt-retry-agent') } });
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${bot.agentId}`).set(owner.auth).send({ transcription: transcription() }).expect(200);
    tg.addFile(bot.token, 'voice-r', Buffer.from('OggS-retry'), { path: 'voice/r.oga' });
    stt.transcribe = () => 'second time lucky';
    stt.failNext('audio.transcriptions', { status: 503, body: { error: { message: 'overloaded' } } });
    const c1 = ++chat;
    await postUpdate(t, bot, mediaUpdate(c1, { voice: { file_id: 'voice-r', duration: 1, mime_type: 'audio/ogg', file_size: 10 } })).expect(200);
    await until(() => sentTexts(tg, c1).length === 1, 'reply after a retried transcription', 15_000);
    expect(sentTexts(tg, c1)[0]).toBe('agent got: second time lucky');

    stt.failNext('audio.transcriptions', { status: 400, body: { error: { message: 'bad audio' } } });
    const c2 = ++chat;
    await postUpdate(t, bot, mediaUpdate(c2, { voice: { file_id: 'voice-r', duration: 1, mime_type: 'audio/ogg', file_size: 10 } })).expect(200);
    await until(() => sentTexts(tg, c2).length === 1, 'type-instead reply');
    expect(sentTexts(tg, c2)[0]).toBe('Sorry — I could not transcribe that voice message. Please type your message instead.');
    expect(runtime.callsTo('/stt-retry-agent')).toHaveLength(1);
  });

  it('Slack: an audio file is fetched from url_private with the bot token, transcribed, and answered', async () => {
    const app = await connectSlackApp(t, slack, owner, { runtime: { type: 'openai', baseUrl: llm.url, model: 'gpt-test' } });
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${app.agentId}`).set(owner.auth).send({ transcription: transcription() }).expect(200);
    stt.transcribe = (f) => `standup notes from ${f.filename}`;
    const file = slack.addFile('F0AUDIO1', { data: Buffer.from('webm-audio-bytes'), mimetype: 'audio/webm', name: 'clip.webm', token: app.botToken }, { subtype: 'slack_audio', duration_ms: 4200 });
    const channel = 'D0VOICE1';
    const ts = nextTs();
    const env = eventEnvelope({ type: 'message', subtype: 'file_share', channel, channel_type: 'im', user: 'U0HUMAN', text: '', ts, files: [file] });
    await postSigned(t, app, '', JSON.stringify(env)).expect(200);
    await until(() => slack.callsTo('chat.postMessage').some((c) => (c.body as { channel: string }).channel === channel), 'Slack reply');

    const post = slack.callsTo('chat.postMessage').find((c) => (c.body as { channel: string }).channel === channel) as RecordedCall;
    expect((post.body as { text: string }).text).toContain('echo: standup notes from clip.webm');
    const download = slack.lastCall('files.download') as RecordedCall;
    expect(download.headers.authorization).toBe(`Bearer ${app.botToken}`);
    const stored = await userMessage(channel);
    expect(stored).toMatchObject({ content: 'standup notes from clip.webm', metadata: { transcript: true, attachments: [{ kind: 'audio', fileId: 'F0AUDIO1', mime: 'audio/webm', duration: 4.2 }] } });
  });

  it('Slack: a file URL that is not on SLACK_FILES_URL is never fetched (the bot token goes nowhere else)', async () => {
    const app = await connectSlackApp(t, slack, owner, { runtime: { type: 'http', url: runtime.urlFor('/agent') } });
    const channel = 'D0ELSEWHERE';
    const before = runtime.calls.length;
    const file = { id: 'F0EVIL', name: 'x.png', mimetype: 'image/png', size: 10, url_private: runtime.urlFor('/steal/x.png') };
    await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'message', subtype: 'file_share', channel, channel_type: 'im', user: 'U0HUMAN', text: 'see this', ts: nextTs(), files: [file] }))).expect(200);
    await until(() => slack.callsTo('chat.postMessage').some((c) => (c.body as { channel: string }).channel === channel), 'Slack reply');
    const post = slack.callsTo('chat.postMessage').find((c) => (c.body as { channel: string }).channel === channel) as RecordedCall;
    expect((post.body as { text: string }).text).toContain('could not get that file');
    expect(runtime.calls.slice(before)).toEqual([]); // neither the "file" URL nor the agent was called
  });

  it('Telegram: a photo reaches the http runtime as a base64 attachment and the openai runtime as an image part', async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
    const httpBot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtime.urlFor('/photo-agent') } });
    tg.addFile(httpBot.token, 'photo-big', jpeg, { path: 'photos/file_2.jpg' });
    const c1 = ++chat;
    const photo = [{ file_id: 'photo-small', file_size: 3, width: 90, height: 90 }, { file_id: 'photo-big', file_size: jpeg.length, width: 800, height: 600 }];
    await postUpdate(t, httpBot, mediaUpdate(c1, { photo, caption: 'what is this?' })).expect(200);
    await until(() => sentTexts(tg, c1).length === 1, 'http runtime reply');
    const body = runtime.lastCall('/photo-agent')?.body as RuntimeBody;
    expect(body.messages.at(-1)?.content).toBe('what is this?');
    expect(body.attachments).toEqual([{ type: 'image', mimeType: 'image/jpeg', size: jpeg.length, data: jpeg.toString('base64') }]);

    const aiBot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'openai', baseUrl: llm.url, model: 'gpt-vision' } });
    tg.addFile(aiBot.token, 'photo-big', jpeg, { path: 'photos/file_3.jpg' });
    const c2 = ++chat;
    await postUpdate(t, aiBot, mediaUpdate(c2, { photo, caption: 'describe it' })).expect(200);
    await until(() => sentTexts(tg, c2).length === 1, 'openai runtime reply');
    const req = llm.callsTo('chat.completions').find((x) => JSON.stringify(x.body).includes('describe it'))?.body as { messages: { role: string; content: unknown }[] };
    expect(req.messages.at(-1)).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'describe it' },
        { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${jpeg.toString('base64')}` } },
      ],
    });
  });

  it('too large or too long: the user gets a reply naming the limit, and neither the platform file nor the runtime is fetched', async () => {
    const bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtime.urlFor('/limits-agent') } });
    // the platform says how big it is: not downloaded at all
    const c1 = ++chat;
    await postUpdate(t, bot, mediaUpdate(c1, { document: { file_id: 'big-doc', file_name: 'report.pdf', mime_type: 'application/pdf', file_size: MAX_BYTES + 1 } })).expect(200);
    await until(() => sentTexts(tg, c1).length === 1, 'limit reply');
    expect(sentTexts(tg, c1)[0]).toBe('Sorry — that file is too large for me. The limit is 4 KB; please send a smaller one.');
    expect(tg.callsTo('getFile').filter((x) => JSON.stringify(x.body ?? x.query).includes('big-doc'))).toEqual([]);

    // the platform does not say: the download stops at the cap
    tg.addFile(bot.token, 'unsized-doc', Buffer.alloc(MAX_BYTES * 3, 0x61), { path: 'documents/unsized.txt', reportedSize: null });
    const c2 = ++chat;
    await postUpdate(t, bot, mediaUpdate(c2, { document: { file_id: 'unsized-doc', file_name: 'big.txt', mime_type: 'text/plain' } })).expect(200);
    await until(() => sentTexts(tg, c2).length === 1, 'limit reply after a bounded read');
    expect(sentTexts(tg, c2)[0]).toContain('The limit is 4 KB');
    expect(tg.callsTo('file').some((x) => x.path.endsWith('/documents/unsized.txt'))).toBe(true);

    // a voice note longer than VOICE_MAX_SECONDS
    const c3 = ++chat;
    await postUpdate(t, bot, mediaUpdate(c3, { voice: { file_id: 'long-voice', duration: 61, mime_type: 'audio/ogg', file_size: 100 } })).expect(200);
    await until(() => sentTexts(tg, c3).length === 1, 'duration reply');
    expect(sentTexts(tg, c3)[0]).toBe('Sorry — that voice message is too long for me. The limit is 1 minute; please send a shorter one.');

    expect(runtime.callsTo('/limits-agent')).toEqual([]);
    const stored = await userMessage(String(c1));
    expect(stored.metadata).toMatchObject({ refused: 'too_large' });
  });

  it('a voice note to an agent without transcription: openai runtimes answer that voice is not supported; http runtimes get the audio', async () => {
    const aiBot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'openai', baseUrl: llm.url, model: 'gpt-test' } });
    const before = llm.callsTo('chat.completions').length;
    const c1 = ++chat;
    await postUpdate(t, aiBot, mediaUpdate(c1, { voice: { file_id: 'v-unsupported', duration: 2, mime_type: 'audio/ogg', file_size: 10 } })).expect(200);
    await until(() => sentTexts(tg, c1).length === 1, 'unsupported reply');
    expect(sentTexts(tg, c1)[0]).toBe('Sorry — this agent does not understand voice messages. Please type your message instead.');
    expect(llm.callsTo('chat.completions').length).toBe(before);

    const httpBot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: runtime.urlFor('/audio-agent') } });
    tg.addFile(httpBot.token, 'v-raw', Buffer.from('OggS-raw'), { path: 'voice/raw.oga' });
    const c2 = ++chat;
    await postUpdate(t, httpBot, mediaUpdate(c2, { voice: { file_id: 'v-raw', duration: 2, mime_type: 'audio/ogg', file_size: 8 } })).expect(200);
    await until(() => sentTexts(tg, c2).length === 1, 'http runtime reply');
    const body = runtime.lastCall('/audio-agent')?.body as RuntimeBody;
    expect(body.attachments).toEqual([{ type: 'audio', mimeType: 'audio/ogg', size: 8, data: Buffer.from('OggS-raw').toString('base64') }]);
  });
});

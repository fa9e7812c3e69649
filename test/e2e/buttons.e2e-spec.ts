import { DataSource } from 'typeorm';
import { ApprovalExpiryScheduler } from '../../src/conversations/actions/approval-expiry.scheduler';
import { FakeOpenAiApi, FakeSlackApi, FakeTelegramApi } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { FakeWebhookReceiver } from '../fakes/webhook-receiver.fake';
import { connectSlackApp, eventEnvelope, nextTs, postSigned, SlackAppFixture } from '../factories/slack';
import { commandUpdate, connectTelegramBot, postUpdate, TelegramBotFixture, textUpdate } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

type Json = Record<string, unknown>;
type Button = { text: string; callback_data: string };
type AgentBody = { messages: { role: string; content: string }[]; action?: Json };
type Event = { type: string; data: Json };

const APPROVER_TG = 777_001;
const APPROVER_SLACK = 'UAPPROVER';

/**
 * The http runtime behind the agents: "buttons …" offers two buttons, "deploy N" an approval (approvers: APPROVER_*,
 * `expiresInS` N), and a turn with `action` answers what was chosen.
 */
function agentReply(call: RecordedCall): { status: number; body: Json } {
  const body = call.body as AgentBody;
  if (body.action) return { status: 200, body: { reply: `Noted: ${String(body.action.action_id)} by ${String((body.action.user as Json).id)}` } };
  const last = body.messages[body.messages.length - 1]?.content ?? '';
  if (last.includes('buttons')) {
    return { status: 200, body: { reply: 'Pick **one**:', actions: [{ id: 'yes', label: 'Yes', style: 'primary', value: 'v-yes' }, { id: 'no', label: 'No', style: 'danger' }] } };
  }
  const deploy = /deploy (\d+)/.exec(last);
  if (deploy) {
    const approvers = call.path.includes('slack') ? [APPROVER_SLACK] : [APPROVER_TG];
    return {
      status: 200,
      body: { reply: 'Deploy v1.4 to production?', actions: [{ id: 'approve', label: 'Approve', style: 'primary' }, { id: 'reject', label: 'Reject', style: 'danger' }], approval: { approvers, expiresInS: Number(deploy[1]) } },
    };
  }
  return { status: 200, body: { reply: `echo ${last}` } };
}

describe('Buttons and approvals (e2e: Telegram and Slack fakes, http runtime, webhook receiver)', () => {
  let tg: FakeTelegramApi;
  let slack: FakeSlackApi;
  let llm: FakeOpenAiApi;
  let receiver: FakeWebhookReceiver;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let bot: TelegramBotFixture;
  let app: SlackAppFixture;
  let chat = 50_000;
  let ch = 0;
  let updateId = 7_000_000;

  const eventsOf = (type: string): Event[] => receiver.callsTo('/events').map((c) => c.body as Event).filter((e) => e.type === type);
  const agentCalls = (path: string): AgentBody[] => receiver.callsTo(path).map((c) => c.body as AgentBody);
  const actionRow = async (conversationChat: string): Promise<Json> =>
    ((await ds.query(`SELECT * FROM message_action WHERE chat_id = $1 ORDER BY created_at DESC LIMIT 1`, [conversationChat])) as Json[])[0];
  const inboundStatuses = async (connectionId: string): Promise<{ status: string; error: string | null }[]> =>
    ds.query('SELECT status, error FROM inbound_event WHERE connection_id = $1 ORDER BY seq', [connectionId]);

  // ---- Telegram helpers
  const tgSent = (c: number): RecordedCall[] => tg.callsTo('sendMessage').filter((x) => String((x.body as Json).chat_id) === String(c));
  const keyboardOf = (call: RecordedCall): Button[][] => {
    const markup = (call.body as Json).reply_markup;
    return ((typeof markup === 'string' ? JSON.parse(markup) : markup) as { inline_keyboard: Button[][] }).inline_keyboard;
  };
  const click = (c: number, fromId: number, data: string, messageId: number, cqId: string) =>
    postUpdate(t, bot, {
      update_id: ++updateId,
      callback_query: { id: cqId, from: { id: fromId, is_bot: false, first_name: fromId === APPROVER_TG ? 'Grace' : 'Ada' }, data, message: { message_id: messageId, chat: { id: c, type: 'private' } } },
    }).expect(200);
  const answerOf = (cqId: string): Json | undefined => tg.callsTo('answerCallbackQuery').map((x) => x.body as Json).find((b) => b.callback_query_id === cqId);

  // ---- Slack helpers
  const slackPosts = (c: string): RecordedCall[] => slack.callsTo('chat.postMessage').filter((x) => (x.body as Json).channel === c);
  const blocksOf = (call: RecordedCall): Json[] => {
    const b = (call.body as Json).blocks;
    return (typeof b === 'string' ? JSON.parse(b) : b) as Json[];
  };
  const slackClick = (c: string, user: string, value: string, messageTs: string, threadTs: string) => {
    const payload = {
      type: 'block_actions',
      trigger_id: `trg.${Math.random().toString(36).slice(2)}`,
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase() },
      channel: { id: c },
      container: { type: 'message', message_ts: messageTs, channel_id: c, thread_ts: threadTs },
      message: { ts: messageTs, thread_ts: threadTs },
      actions: [{ action_id: value, block_id: 'sb_actions', value, type: 'button', action_ts: nextTs() }],
    };
    return postSigned(t, app, '/interactions', `payload=${encodeURIComponent(JSON.stringify(payload))}`, { contentType: 'application/x-www-form-urlencoded' });
  };

  beforeAll(async () => {
    [tg, slack, llm, receiver] = await Promise.all([new FakeTelegramApi().start(), new FakeSlackApi().start(), new FakeOpenAiApi().start(), new FakeWebhookReceiver().start()]);
    receiver.handler = (call) => (call.path.startsWith('/agent') ? agentReply(call) : { status: 200, body: { ok: true } });
    t = await createTestApp({
      env: {
        TELEGRAM_API_ROOT: tg.url,
        SLACK_API_URL: `${slack.url}/api/`,
        CONNECTION_HEALTH_INTERVAL_S: '0',
        INBOUND_SWEEP_INTERVAL_S: '0',
        APPROVAL_SWEEP_INTERVAL_S: '0',
        TELEGRAM_POLL_SCAN_MS: '0',
        PUBLIC_BASE_URL: 'https://sb.example.com',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      },
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Buttons');
    bot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: receiver.urlFor('/agent/telegram') } });
    app = await connectSlackApp(t, slack, owner, { runtime: { type: 'http', url: receiver.urlFor('/agent/slack') } });
    await t
      .http()
      .post(`/v1/teams/${owner.teamId}/webhooks`)
      .set(owner.auth)
      .send({ url: receiver.urlFor('/events'), eventTypes: ['message.action', 'approval.decided'] })
      .expect(201);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), slack.stop(), llm.stop(), receiver.stop()]);
  });

  describe('Telegram', () => {
    it('buttons are an inline keyboard of opaque ids; a click is acknowledged, the message edited, the agent gets the action, message.action fires', async () => {
      const c = ++chat;
      await postUpdate(t, bot, textUpdate(c, 'buttons please')).expect(200);
      await until(() => tgSent(c).length === 1, 'reply with buttons');
      const keyboard = keyboardOf(tgSent(c)[0]);
      expect(keyboard.flat().map((b) => b.text)).toEqual(['Yes', 'No']);
      for (const b of keyboard.flat()) {
        expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
        expect(b.callback_data).not.toContain('yes'); // opaque: the agent's ids and values stay on our side
      }
      const row = await actionRow(String(c));
      await until(async () => (await actionRow(String(c))).external_message_id !== null, 'message id recorded');
      const messageId = Number((await actionRow(String(c))).external_message_id);

      await click(c, c, keyboard[0][0].callback_data, messageId, 'cq-yes');
      expect(answerOf('cq-yes')).toBeDefined(); // answered before the webhook returned
      expect(answerOf('cq-yes')).toMatchObject({ text: 'You chose “Yes”.' });
      await until(() => tgSent(c).length === 2, 'the agent answers the click');
      expect(String((tgSent(c)[1].body as Json).text)).toBe(`Noted: yes by ${c}`);
      const edit = tg.callsTo('editMessageText').map((x) => x.body as Json).find((b) => Number(b.message_id) === messageId);
      expect(edit).toBeDefined();
      expect(String(edit?.text)).toContain('Pick <b>one</b>:');
      expect(String(edit?.text)).toContain('Ada chose “Yes”');
      expect(edit?.reply_markup).toBeUndefined(); // the keyboard is gone

      const turn = agentCalls('/agent/telegram').find((b) => b.action);
      expect(turn?.action).toMatchObject({ type: 'action', action_id: 'yes', label: 'Yes', value: 'v-yes', user: { id: String(c), name: 'Ada' } });
      expect(turn?.messages.at(-1)?.content).toContain('clicked "Yes"');
      expect(turn?.messages.at(-1)?.content).not.toContain('earlier conversation'); // its conversation is still open

      await until(() => eventsOf('message.action').some((e) => e.data.message_id === row.message_id), 'message.action delivered');
      expect(eventsOf('message.action').find((e) => e.data.message_id === row.message_id)?.data).toMatchObject({
        action_id: 'yes',
        value: 'v-yes',
        platform: 'telegram',
        user: { id: String(c) },
        approval_id: null,
      });
    });

    it('a click after its conversation ended (/reset) starts a new one, and the agent gets the message it answers quoted', async () => {
      const c = ++chat;
      await postUpdate(t, bot, textUpdate(c, 'buttons again')).expect(200);
      await until(() => tgSent(c).length === 1, 'reply with buttons');
      await until(async () => (await actionRow(String(c))).external_message_id !== null, 'message id recorded');
      const messageId = Number((await actionRow(String(c))).external_message_id);
      const [yes] = keyboardOf(tgSent(c)[0])[0];
      await postUpdate(t, bot, commandUpdate(c, '/reset')).expect(200);
      await until(() => tgSent(c).length === 2, 'the reset is confirmed');

      await click(c, c, yes.callback_data, messageId, 'cq-after-reset');
      await until(() => tgSent(c).length === 3, 'the agent answers the click');
      const turn = agentCalls('/agent/telegram').filter((b) => b.action).at(-1);
      expect(turn?.messages).toHaveLength(1); // a new conversation: the click is all it holds…
      expect(turn?.messages[0].content).toContain('clicked "Yes"');
      expect(turn?.messages[0].content).toContain('earlier conversation, which has ended: "Pick **one**:"'); // …with what was asked
      const conversations = (await ds.query(`SELECT status FROM conversation WHERE external_chat_id = $1 ORDER BY created_at`, [String(c)])) as { status: string }[];
      expect(conversations.map((x) => x.status)).toEqual(['completed', 'open']);
    });

    it('approval: a non-approver is refused politely, the approver decides (approval.decided), a double click decides once', async () => {
      const c = ++chat;
      await postUpdate(t, bot, textUpdate(c, 'deploy 3600')).expect(200);
      await until(() => tgSent(c).length === 1, 'approval request');
      const [approve, reject] = keyboardOf(tgSent(c)[0]).flat();
      await until(async () => (await actionRow(String(c))).external_message_id !== null, 'message id recorded');
      const row = await actionRow(String(c));
      const messageId = Number(row.external_message_id);

      await click(c, c, reject.callback_data, messageId, 'cq-not-approver');
      expect(answerOf('cq-not-approver')).toBeDefined(); // answered before the webhook returned
      expect(answerOf('cq-not-approver')).toMatchObject({ show_alert: true });
      expect(String(answerOf('cq-not-approver')?.text)).toMatch(/only the people asked to approve/);
      expect((await actionRow(String(c))).status).toBe('pending');

      // a double click: both stored before either is decided; the first in order decides, the second changes nothing
      await click(c, APPROVER_TG, approve.callback_data, messageId, 'cq-approve');
      await click(c, APPROVER_TG, reject.callback_data, messageId, 'cq-approve-again');
      expect(answerOf('cq-approve')).toMatchObject({ text: 'You chose “Approve”.', show_alert: false }); // answered at once, as stored
      await until(async () => (await inboundStatuses(bot.connectionId)).some((e) => e.error === 'button click refused: already decided'), 'second click refused');
      await until(() => eventsOf('approval.decided').some((e) => e.data.approval_id === row.id), 'approval.decided');
      // a click after the decision is told so
      await click(c, APPROVER_TG, reject.callback_data, messageId, 'cq-late-approver');
      expect(String(answerOf('cq-late-approver')?.text)).toMatch(/Already decided: ✅ Grace chose “Approve”/);
      expect(answerOf('cq-late-approver')).toMatchObject({ show_alert: true });
      expect((await actionRow(String(c))).status).toBe('decided');
      expect((await actionRow(String(c))).decided_action_id).toBe('approve');
      await until(() => tgSent(c).length === 2, 'the agent answers the decision');
      expect(tgSent(c)).toHaveLength(2); // the refused clicks gave the agent no turn
      const edits = tg.callsTo('editMessageText').map((x) => x.body as Json).filter((b) => Number(b.message_id) === messageId);
      expect(edits).toHaveLength(1);
      expect(String(edits[0].text)).toContain('Grace chose “Approve”');
      expect(eventsOf('approval.decided').filter((e) => e.data.approval_id === row.id)).toHaveLength(1);
      expect(eventsOf('approval.decided').find((e) => e.data.approval_id === row.id)?.data).toMatchObject({
        status: 'decided',
        decision: 'approve',
        decided_by: { id: String(APPROVER_TG), name: 'Grace' },
        approvers: [String(APPROVER_TG)],
      });
      expect(eventsOf('message.action').filter((e) => e.data.approval_id === row.id)).toHaveLength(1);
      const turn = agentCalls('/agent/telegram').find((b) => b.action?.approval && (b.action.approval as Json).approval_id === row.id);
      expect(turn?.action).toMatchObject({ action_id: 'approve', approval: { decision: 'approve' } });
    });

    it('expiry resolves the approval as expired (message edited, approval.decided); a later click changes nothing', async () => {
      const c = ++chat;
      await postUpdate(t, bot, textUpdate(c, 'deploy 1')).expect(200);
      await until(() => tgSent(c).length === 1, 'approval request');
      await until(async () => (await actionRow(String(c))).external_message_id !== null, 'message id recorded');
      const row = await actionRow(String(c));
      await until(async () => ((await ds.query(`SELECT expires_at <= now() AS due FROM message_action WHERE id = $1`, [row.id])) as { due: boolean }[])[0].due, 'expiry time');
      await t.app.get(ApprovalExpiryScheduler).tick();
      expect((await actionRow(String(c))).status).toBe('expired');
      await until(() => eventsOf('approval.decided').some((e) => e.data.approval_id === row.id), 'approval.decided (expired)');
      expect(eventsOf('approval.decided').find((e) => e.data.approval_id === row.id)?.data).toMatchObject({ status: 'expired', decision: 'expired', decided_by: null });
      const edit = tg.callsTo('editMessageText').map((x) => x.body as Json).find((b) => Number(b.message_id) === Number(row.external_message_id));
      expect(String(edit?.text)).toContain('Expired');

      const [approve] = keyboardOf(tgSent(c)[0]).flat();
      await click(c, APPROVER_TG, approve.callback_data, Number(row.external_message_id), 'cq-late');
      await until(() => answerOf('cq-late') !== undefined, 'late click answered');
      expect(String(answerOf('cq-late')?.text)).toMatch(/expired/);
      expect((await actionRow(String(c))).status).toBe('expired');
      expect(eventsOf('approval.decided').filter((e) => e.data.approval_id === row.id)).toHaveLength(1);
    });

    it('an unknown or forged button id is answered politely and nothing else happens', async () => {
      const c = ++chat;
      await click(c, c, 'option A', 5, 'cq-unknown');
      await click(c, c, '00000000-0000-4000-8000-000000000000.0', 5, 'cq-forged');
      await until(() => answerOf('cq-unknown') !== undefined && answerOf('cq-forged') !== undefined, 'answers');
      expect(String(answerOf('cq-unknown')?.text)).toMatch(/no longer available/);
      expect(String(answerOf('cq-forged')?.text)).toMatch(/no longer available/);
      await until(async () => (await inboundStatuses(bot.connectionId)).filter((e) => e.error?.startsWith('button click refused: unknown')).length >= 2, 'events ignored');
      expect(tgSent(c)).toHaveLength(0);
    });
  });

  describe('Slack', () => {
    it('buttons are Block Kit buttons; a click is acknowledged (200), chat.update shows who chose, the agent gets the action, message.action fires', async () => {
      const c = `C${++ch}BTN`;
      const ts = nextTs();
      await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> buttons please`, ts, channel: c }))).expect(200);
      await until(() => slackPosts(c).length === 1, 'reply with buttons');
      const actions = blocksOf(slackPosts(c)[0]).find((b) => b.type === 'actions') as { elements: Json[] };
      expect(actions.elements.map((e) => (e.text as Json).text)).toEqual(['Yes', 'No']);
      expect(actions.elements.map((e) => e.style)).toEqual(['primary', 'danger']);
      await until(async () => (await actionRow(c))?.external_message_id != null, 'message ts recorded');
      const row = await actionRow(c);

      const started = Date.now();
      await slackClick(c, 'U1', String(actions.elements[0].value), String(row.external_message_id), ts).expect(200, {});
      expect(Date.now() - started).toBeLessThan(3000);
      await until(() => slackPosts(c).length === 2, 'the agent answers the click');
      expect((slackPosts(c)[1].body as Json).text).toBe('Noted: yes by U1');
      expect((slackPosts(c)[1].body as Json).thread_ts).toBe(ts);
      const update = slack.callsTo('chat.update').map((x) => x.body as Json).find((b) => b.ts === row.external_message_id);
      expect(update).toBeDefined();
      const updated = (typeof update?.blocks === 'string' ? JSON.parse(update.blocks) : update?.blocks) as Json[];
      expect(updated.some((b) => b.type === 'actions')).toBe(false);
      expect(JSON.stringify(updated)).toContain('u1 chose “Yes”');
      expect(agentCalls('/agent/slack').find((b) => b.action)?.action).toMatchObject({ action_id: 'yes', value: 'v-yes', user: { id: 'U1' } });
      await until(() => eventsOf('message.action').some((e) => e.data.message_id === row.message_id), 'message.action delivered');
      expect(eventsOf('message.action').find((e) => e.data.message_id === row.message_id)?.data).toMatchObject({ platform: 'slack', action_id: 'yes' });
    });

    it('approval: a non-approver gets an ephemeral refusal, the approver decides once; expiry resolves another as expired', async () => {
      const c = `C${++ch}APR`;
      const ts = nextTs();
      await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> deploy 3600`, ts, channel: c }))).expect(200);
      await until(() => slackPosts(c).length === 1, 'approval request');
      const [approve] = (blocksOf(slackPosts(c)[0]).find((b) => b.type === 'actions') as { elements: Json[] }).elements;
      await until(async () => (await actionRow(c))?.external_message_id != null, 'message ts recorded');
      const row = await actionRow(c);
      const msgTs = String(row.external_message_id);

      await slackClick(c, 'U1', String(approve.value), msgTs, ts).expect(200);
      await until(() => slack.callsTo('chat.postEphemeral').some((x) => (x.body as Json).user === 'U1' && (x.body as Json).channel === c), 'ephemeral refusal');
      expect(String(slack.callsTo('chat.postEphemeral').map((x) => x.body as Json).find((b) => b.channel === c)?.text)).toMatch(/only the people asked to approve/);
      expect((await actionRow(c)).status).toBe('pending');

      await slackClick(c, APPROVER_SLACK, String(approve.value), msgTs, ts).expect(200);
      await slackClick(c, APPROVER_SLACK, String(approve.value), msgTs, ts).expect(200);
      await until(() => slack.callsTo('chat.postEphemeral').some((x) => (x.body as Json).user === APPROVER_SLACK && (x.body as Json).channel === c), 'double click answered');
      await until(() => eventsOf('approval.decided').some((e) => e.data.approval_id === row.id), 'approval.decided');
      expect(eventsOf('approval.decided').filter((e) => e.data.approval_id === row.id)).toHaveLength(1);
      expect(eventsOf('approval.decided').find((e) => e.data.approval_id === row.id)?.data).toMatchObject({ status: 'decided', decision: 'approve', platform: 'slack', decided_by: { id: APPROVER_SLACK } });
      await until(() => slackPosts(c).length === 2, 'the agent answers the decision');

      // a second approval that nobody decides
      const c2 = `C${++ch}EXP`;
      const ts2 = nextTs();
      await postSigned(t, app, '', JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'U1', text: `<@${app.botUserId}> deploy 1`, ts: ts2, channel: c2 }))).expect(200);
      await until(async () => (await actionRow(c2))?.external_message_id != null, 'second approval sent');
      const row2 = await actionRow(c2);
      await until(async () => ((await ds.query(`SELECT expires_at <= now() AS due FROM message_action WHERE id = $1`, [row2.id])) as { due: boolean }[])[0].due, 'expiry time');
      await t.app.get(ApprovalExpiryScheduler).tick();
      await until(() => eventsOf('approval.decided').some((e) => e.data.approval_id === row2.id), 'approval.decided (expired)');
      expect(eventsOf('approval.decided').find((e) => e.data.approval_id === row2.id)?.data).toMatchObject({ status: 'expired', decision: 'expired' });
      const update = slack.callsTo('chat.update').map((x) => x.body as Json).find((b) => b.ts === row2.external_message_id);
      expect(String(update?.blocks)).toContain('Expired');
    });

    it('an unknown button value is refused with an ephemeral message; an unsigned interaction is 401', async () => {
      const c = `C${++ch}UNK`;
      await slackClick(c, 'U9', 'bogus', nextTs(), nextTs()).expect(200);
      await until(() => slack.callsTo('chat.postEphemeral').some((x) => (x.body as Json).channel === c), 'ephemeral');
      expect(String(slack.callsTo('chat.postEphemeral').map((x) => x.body as Json).find((b) => b.channel === c)?.text)).toMatch(/no longer available/);
      expect(slackPosts(c)).toHaveLength(0);
      // unsigned → 401, nothing stored
      await t.http().post(`/webhooks/slack/${app.connectionId}/interactions`).type('form').send({ payload: '{}' }).expect(401);
    });
  });

  describe('runtimes', () => {
    it('the openai runtime offers buttons through the offer_actions tool (opt-in); invalid http actions fail clearly', async () => {
      llm.reply = (_messages, body) =>
        Array.isArray(body.tools) && JSON.stringify(body.tools).includes('offer_actions')
          ? { content: null, toolCalls: [{ name: 'offer_actions', arguments: JSON.stringify({ actions: [{ id: 'a', label: 'Option A' }, { id: 'b', label: 'Option B' }] }) }] }
          : 'no tools';
      const aiBot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'openai', baseUrl: llm.url, model: 'm', offerActions: true } });
      const c = ++chat;
      await postUpdate(t, aiBot, textUpdate(c, 'choose')).expect(200);
      await until(() => tgSent(c).length === 1, 'reply with buttons');
      expect(keyboardOf(tgSent(c)[0]).flat().map((b) => b.text)).toEqual(['Option A', 'Option B']);
      expect((tgSent(c)[0].body as Json).text).toBe('Please choose:');

      receiver.respondOn('/agent/bad', 200, { reply: 'x', actions: [{ id: 'no spaces allowed', label: 'A' }] });
      const badBot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'http', url: receiver.urlFor('/agent/bad') } });
      const c2 = ++chat;
      await postUpdate(t, badBot, textUpdate(c2, 'hi')).expect(200);
      await until(async () => (await inboundStatuses(badBot.connectionId))[0]?.status === 'failed', 'failed');
      expect((await inboundStatuses(badBot.connectionId))[0].error).toMatch(/actions\[0\]\.id/);
    });
  });
});

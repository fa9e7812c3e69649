import { DataSource } from 'typeorm';
import { AgentRuntimeService } from '../../src/agents/runtimes/agent-runtime.service';
import { RuntimeError, RuntimeReply, RuntimeRequest } from '../../src/agents/runtimes/runtime.types';
import { ConnectionsService } from '../../src/connections/connections.service';
import { ConnectorRegistry } from '../../src/connections/connector-registry';
import { OutgoingMessage, PlatformConnector, RetryLaterError } from '../../src/connections/platform-connector';
import { InboundPipeline } from '../../src/conversations/inbound.pipeline';
import { InboundService } from '../../src/conversations/inbound.service';
import { orderingKeyOf, TgUpdate } from '../../src/integrations/telegram/telegram-update';
import { FakeTelegramApi } from '../fakes';
import { serviceTelegramConnection, textUpdate } from '../factories/telegram';
import { createServiceModule, ServiceModule } from '../utils/service-module';

/**
 * InboundPipeline at service level. Real: PostgreSQL, the pipeline, leases, AgentTurnService, the Telegram connector's
 * parsing. Stand-ins: the agent runtime (scripted answers and failures) and the connector's `send` (records, or fails
 * as told). The test drives `handleJob` itself (ROLE=api: no queue processor competes).
 */
describe('InboundPipeline (medium: real database, stand-in runtime and platform send)', () => {
  let m: ServiceModule;
  let tg: FakeTelegramApi;
  let ds: DataSource;
  let connectionId: string;
  const runtimeCalls: RuntimeRequest[] = [];
  const runtimeScript: (() => Promise<RuntimeReply>)[] = [];
  const runtime = {
    reply: (req: RuntimeRequest): Promise<RuntimeReply> => {
      runtimeCalls.push(req);
      const next = runtimeScript.shift();
      return next ? next() : Promise.resolve({ reply: `echo: ${req.messages.at(-1)?.content}`, memories: [] });
    },
  };
  const sent: OutgoingMessage[] = [];
  const sendFailures: Error[] = [];

  beforeAll(async () => {
    tg = await new FakeTelegramApi().start();
    m = await createServiceModule({
      env: { TELEGRAM_API_ROOT: tg.url, PUBLIC_BASE_URL: 'https://sb.example.com', AGENT_RETRY_DELAYS_MS: '50' },
      override: (b) => b.overrideProvider(AgentRuntimeService).useValue(runtime),
    });
    ds = m.moduleRef.get(DataSource);
    ({ connectionId } = await serviceTelegramConnection(m, tg, 'Medium', 900001));
    // the real connector parses; its send is the stand-in
    const registry = m.moduleRef.get(ConnectorRegistry);
    const real = registry.get('telegram');
    const standIn = Object.assign(Object.create(real) as PlatformConnector, {
      send: (_ctx: unknown, out: OutgoingMessage) => {
        const failure = sendFailures.shift();
        if (failure) return Promise.reject(failure);
        sent.push(out);
        return Promise.resolve({ externalMessageId: String(sent.length) });
      },
      startWorking: () => Promise.resolve(),
    });
    registry.register(standIn);
  });
  afterAll(async () => {
    await m?.close();
    await tg?.stop();
  });
  beforeEach(() => {
    runtimeCalls.length = 0;
    sent.length = 0;
  });

  const ingest = async (update: Record<string, unknown>): Promise<{ eventId: string; orderingKey: string }> => {
    const conn = await m.moduleRef.get(ConnectionsService).findById(connectionId);
    const orderingKey = orderingKeyOf(update as unknown as TgUpdate);
    const r = await m.moduleRef.get(InboundService).ingest(conn!, { dedupeKey: String(update.update_id), orderingKey, payload: update });
    return { eventId: r.eventId!, orderingKey };
  };
  const eventRow = async (id: string): Promise<{ status: string; error: string | null; not_before: Date | null }> =>
    (await ds.query('SELECT status, error, not_before FROM inbound_event WHERE id = $1', [id]))[0];
  const run = (job: { eventId: string; orderingKey: string }): Promise<void> => m.moduleRef.get(InboundPipeline).handleJob({ ...job, connectionId });

  it('answers a message once: the runtime is asked, the reply is sent and stored, the event is done', async () => {
    const job = await ingest(textUpdate(501, 'hello'));
    await run(job);
    expect(runtimeCalls).toHaveLength(1);
    expect(runtimeCalls[0].messages.at(-1)).toMatchObject({ role: 'user', content: 'hello' });
    expect(sent.map((s) => s.text)).toEqual(['echo: hello']);
    expect(await eventRow(job.eventId)).toMatchObject({ status: 'done', error: null });
    const messages = await ds.query(`SELECT m.role, m.content FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE c.external_chat_id = '501' ORDER BY m.seq`);
    expect(messages).toEqual([
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'echo: hello' },
    ]);
    await run(job); // the same job again (a redelivered BullMQ job): nothing new
    expect(runtimeCalls).toHaveLength(1);
    expect(sent).toHaveLength(1);
  });

  it('a platform 429 holds the event; the retry sends the stored reply without asking the agent again', async () => {
    sendFailures.push(new RetryLaterError('rate limited', 20));
    const job = await ingest(textUpdate(502, 'are you there?'));
    await run(job);
    expect(sent).toHaveLength(0);
    const held = await eventRow(job.eventId);
    expect(held.status).toBe('processing'); // held: its not_before says when it is due again
    expect(held.not_before).not.toBeNull();
    await new Promise((r) => setTimeout(r, Math.max(0, held.not_before!.getTime() - Date.now()) + 5)); // the hold's own time
    await run(job);
    expect(sent.map((s) => s.text)).toEqual(['echo: are you there?']);
    expect(runtimeCalls).toHaveLength(1);
    expect(await eventRow(job.eventId)).toMatchObject({ status: 'done' });
  });

  it('a transient runtime failure is retried after AGENT_RETRY_DELAYS_MS; a permanent one answers with the apology and fails the event', async () => {
    runtimeScript.push(() => Promise.reject(new RuntimeError('the agent did not answer (TIMEOUT)', true, 'TIMEOUT')));
    const job = await ingest(textUpdate(503, 'think hard'));
    await run(job);
    expect(sent).toHaveLength(0);
    const held = await eventRow(job.eventId);
    expect(held).toMatchObject({ status: 'processing', error: expect.stringContaining('agent runtime will retry'), not_before: expect.any(Date) });
    await new Promise((r) => setTimeout(r, Math.max(0, held.not_before!.getTime() - Date.now()) + 5));
    await run(job);
    expect(runtimeCalls).toHaveLength(2);
    expect(sent.map((s) => s.text)).toEqual(['echo: think hard']);

    runtimeScript.push(() => Promise.reject(new RuntimeError('the agent URL is not allowed (INVALID_URL)', false, 'INVALID_URL')));
    const bad = await ingest(textUpdate(504, 'anyone?'));
    await run(bad);
    expect(runtimeCalls).toHaveLength(3);
    expect(sent).toHaveLength(2); // the apology went out
    expect(await eventRow(bad.eventId)).toMatchObject({ status: 'failed', error: expect.stringContaining('INVALID_URL') });
  });
});

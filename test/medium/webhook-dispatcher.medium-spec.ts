import { DataSource } from 'typeorm';
import { EventPublisher } from '../../src/events/event-publisher';
import { OutboundHttpClient, OutboundRequest, OutboundResult } from '../../src/http/outbound-http-client';
import { TeamsService } from '../../src/teams/teams.service';
import { UsersService } from '../../src/users/users.service';
import { CreateWebhookEndpointDto } from '../../src/webhooks/dto/webhook.dto';
import { WebhookEndpointsService } from '../../src/webhooks/webhook-endpoints.service';
import { createServiceModule, ServiceModule } from '../utils/service-module';
import { until } from '../utils/wait';

/**
 * WebhookDispatcher at service level. Real: PostgreSQL (claims, leases, the recorded attempts), the outbox, the
 * dispatcher and its timers, the signer. Stand-in: the outbound HTTP client, which records each request and answers
 * what the test scripts per URL — no sockets, so the test sees exactly what the dispatcher decided.
 */
describe('WebhookDispatcher (medium: real database, stand-in HTTP client)', () => {
  let m: ServiceModule;
  let ds: DataSource;
  let teamId: string;
  const requests: OutboundRequest[] = [];
  const answers = new Map<string, number[]>(); // url → statuses to answer, in order (then 200)
  const http = {
    checkUrl: (): Promise<undefined> => Promise.resolve(undefined),
    request: (req: OutboundRequest): Promise<OutboundResult> => {
      requests.push(req);
      const status = answers.get(req.url)?.shift() ?? 200;
      return Promise.resolve({ ok: true, status, headers: {}, body: status < 300 ? 'ok' : 'no', truncated: false, durationMs: 1 });
    },
    close: (): Promise<void> => Promise.resolve(),
    onModuleDestroy: (): Promise<void> => Promise.resolve(),
  };

  beforeAll(async () => {
    m = await createServiceModule({
      // ROLE=worker: the dispatcher runs (its poll, wake-ups and claims); no platforms are involved
      env: { ROLE: 'worker', ENABLE_INTEGRATIONS: 'false', WEBHOOK_RETRY_SCHEDULE: '0,1,2', WEBHOOK_SWEEP_INTERVAL_S: '0' },
      override: (b) => b.overrideProvider(OutboundHttpClient).useValue(http),
    });
    ds = m.moduleRef.get(DataSource);
    const user = await m.moduleRef.get(UsersService).create({ email: 'dispatch@example.com', password: 'long-enough-1' });
    teamId = (await m.moduleRef.get(TeamsService).create('Dispatch', user.id)).id;
  });
  afterAll(() => m?.close());

  const endpoint = async (url: string): Promise<string> =>
    (await m.moduleRef.get(WebhookEndpointsService).create(teamId, { url, eventTypes: ['job.completed'] } as CreateWebhookEndpointDto)).id;
  /** Publishes to every subscribed endpoint; returns the delivery of `endpointId`. */
  const publish = async (jobId: string, endpointId: string): Promise<string> => {
    const { deliveryIds } = await ds.transaction((em) => m.moduleRef.get(EventPublisher).publish(em, { type: 'job.completed', teamId, data: { job_id: jobId } }));
    const [row] = await ds.query('SELECT id FROM webhook_delivery WHERE endpoint_id = $1 AND id = ANY($2)', [endpointId, deliveryIds]);
    return row.id;
  };
  const deliveryRow = async (id: string): Promise<{ status: string; attempt_count: number }> =>
    (await ds.query('SELECT status, attempt_count FROM webhook_delivery WHERE id = $1', [id]))[0];

  it('a published event is signed, sent once and recorded as delivered with its attempt', async () => {
    const url = 'https://hooks.example.com/ok';
    const deliveryIds = [await publish('j1', await endpoint(url))];
    await until(async () => (await deliveryRow(deliveryIds[0])).status === 'delivered', 'delivered');
    const sent = requests.filter((r) => r.url === url);
    expect(sent).toHaveLength(1);
    expect(sent[0].headers).toMatchObject({ 'webhook-id': expect.stringMatching(/^evt_/), 'webhook-signature': expect.stringMatching(/^v1,/) });
    expect(JSON.parse(String(sent[0].body))).toMatchObject({ type: 'job.completed', team_id: teamId, data: { job_id: 'j1' } });
    const attempts = await ds.query('SELECT attempt_number, status_code FROM webhook_attempt WHERE delivery_id = $1', [deliveryIds[0]]);
    expect(attempts).toEqual([{ attempt_number: 1, status_code: 200 }]);
  });

  it('5xx answers are retried on the schedule until one succeeds; every attempt is recorded', async () => {
    const url = 'https://hooks.example.com/flaky';
    answers.set(url, [500, 503]);
    const deliveryIds = [await publish('j2', await endpoint(url))];
    await until(async () => (await deliveryRow(deliveryIds[0])).status === 'delivered', 'delivered after two failures', 20_000);
    expect(await deliveryRow(deliveryIds[0])).toMatchObject({ status: 'delivered', attempt_count: 3 });
    const codes = (await ds.query('SELECT status_code FROM webhook_attempt WHERE delivery_id = $1 ORDER BY attempt_number', [deliveryIds[0]])).map((r: { status_code: number }) => r.status_code);
    expect(codes).toEqual([500, 503, 200]);
    expect(requests.filter((r) => r.url === url)).toHaveLength(3);
  });

  it('410 Gone fails the delivery at once (no retry) and disables the endpoint', async () => {
    const url = 'https://hooks.example.com/gone';
    answers.set(url, [410]);
    const id = await endpoint(url);
    const deliveryIds = [await publish('j3', id)];
    await until(async () => (await deliveryRow(deliveryIds[0])).status === 'failed', 'failed');
    expect(requests.filter((r) => r.url === url)).toHaveLength(1);
    const [ep] = await ds.query('SELECT status FROM webhook_endpoint WHERE id = $1', [id]);
    expect(ep).toMatchObject({ status: 'disabled' });
  });
});

import { DataSource } from 'typeorm';
import { EventPublisher } from '../../src/events/event-publisher';
import { TeamsService } from '../../src/teams/teams.service';
import { UsersService } from '../../src/users/users.service';
import { AttemptRecord, DeliveryBatchRepository } from '../../src/webhooks/dispatch/delivery-batch.repository';
import { CreateWebhookEndpointDto } from '../../src/webhooks/dto/webhook.dto';
import { WebhookEndpointsService } from '../../src/webhooks/webhook-endpoints.service';
import { createServiceModule, ServiceModule } from '../utils/service-module';
import { whileHeldOpen } from '../utils/wait';

const NIL = '00000000-0000-0000-0000-000000000000';

/**
 * The dispatcher's record statement on a real database (ROLE=api: no dispatcher competes; the test claims itself):
 * whose results change a delivery's state, and that an attempt is never left without its delivery — also when the
 * delivery is deleted, or taken by another worker, while the statement runs.
 */
describe('DeliveryBatchRepository.record (medium: real database)', () => {
  let m: ServiceModule;
  let ds: DataSource;
  let repo: DeliveryBatchRepository;
  let teamId: string;
  let n = 0;

  beforeAll(async () => {
    m = await createServiceModule({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    ds = m.moduleRef.get(DataSource);
    repo = new DeliveryBatchRepository(m.config);
    const user = await m.moduleRef.get(UsersService).create({ email: 'record@example.com', password: 'long-enough-1' });
    teamId = (await m.moduleRef.get(TeamsService).create('Records', user.id)).id;
  });
  afterAll(async () => {
    await repo?.onApplicationShutdown();
    await m?.close();
  });

  /** A new endpoint with `events` pending deliveries, all claimed by `me`; returns the endpoint and delivery ids. */
  const claimed = async (events: number): Promise<{ endpointId: string; ids: string[] }> => {
    const endpointId = (await m.moduleRef.get(WebhookEndpointsService).create(teamId, { url: `http://127.0.0.1:9/r${n++}`, eventTypes: ['job.completed'] } as CreateWebhookEndpointDto)).id;
    await ds.transaction((em) => m.moduleRef.get(EventPublisher).publishMany(em, Array.from({ length: events }, (_, k) => ({ type: 'job.completed', teamId, data: { job_id: `j${n}-${k}` } }))));
    const now = new Date();
    const rows = await repo.claim({
      claimer: 'me',
      afterTeam: NIL,
      now,
      dueBy: new Date(now.getTime() + 1000),
      leaseUntil: new Date(now.getTime() + 60_000),
      limit: 100,
      teamQuantum: 100,
      endpointAllowance: 100,
      busy: { endpointIds: [], remaining: [] },
      rateHorizonMs: 1000,
    });
    const ids = rows.filter((r) => r.endpointId === endpointId).map((r) => r.id);
    expect(ids).toHaveLength(events);
    return { endpointId, ids };
  };
  const delivered = (id: string): AttemptRecord => {
    const at = new Date();
    return {
      deliveryId: id,
      attemptNumber: 1,
      requestHeaders: { 'webhook-id': 'x' },
      statusCode: 204,
      responseBody: '',
      durationMs: 3,
      errorCode: null,
      errorMessage: null,
      attemptedAt: at,
      status: 'delivered',
      roundAttempts: 1,
      roundStartedAt: at,
      nextAttemptAt: null,
      deliveredAt: at,
    };
  };
  const state = async (ids: string[]) =>
    (await ds.query(
      `SELECT d.id, d.status, d.claimed_by AS holder, (SELECT count(*)::int FROM webhook_attempt a WHERE a.delivery_id = d.id) AS attempts
       FROM webhook_delivery d WHERE d.id = ANY ($1) ORDER BY array_position($1, d.id)`,
      [ids],
    )) as { id: string; status: string; holder: string | null; attempts: number }[];
  const orphans = async (ids: string[]) => Number(((await ds.query('SELECT count(*) AS n FROM webhook_attempt WHERE delivery_id = ANY ($1)', [ids])) as { n: string }[])[0].n);

  it('writes the holder’s results: an attempt each, and the new state', async () => {
    const { ids } = await claimed(3);
    await repo.record(ids.map(delivered), 'me');
    expect(await state(ids)).toEqual(ids.map((id) => ({ id, status: 'delivered', holder: null, attempts: 1 })));
  });

  it('keeps a late result as an attempt without overwriting the state of the worker that holds the delivery now', async () => {
    const { ids } = await claimed(2);
    await ds.query(`UPDATE webhook_delivery SET claimed_by = 'other' WHERE id = $1`, [ids[0]]);
    await repo.record(ids.map(delivered), 'me');
    expect(await state(ids)).toEqual([
      { id: ids[0], status: 'pending', holder: 'other', attempts: 1 },
      { id: ids[1], status: 'delivered', holder: null, attempts: 1 },
    ]);
  });

  it('a delivery taken by another worker while the record runs keeps that worker’s state', async () => {
    const { ids } = await claimed(2);
    const result = await whileHeldOpen(
      ds,
      (q) => q(`UPDATE webhook_delivery SET claimed_by = 'other' WHERE id = $1`, [ids[0]]),
      () => repo.record(ids.map(delivered), 'me'),
    );
    expect(result).not.toHaveProperty('error');
    expect(await state(ids)).toEqual([
      { id: ids[0], status: 'pending', holder: 'other', attempts: 1 },
      { id: ids[1], status: 'delivered', holder: null, attempts: 1 },
    ]);
  });

  it('a delivery deleted with its endpoint while the record runs gets no attempt; the batch’s others are recorded', async () => {
    const doomed = await claimed(2);
    const kept = await claimed(2);
    const result = await whileHeldOpen(
      ds,
      (q) => q('DELETE FROM webhook_endpoint WHERE id = $1', [doomed.endpointId]),
      () => repo.record([...doomed.ids, ...kept.ids].map(delivered), 'me'),
    );
    expect(result).not.toHaveProperty('error');
    expect(await state(doomed.ids)).toEqual([]);
    expect(await orphans(doomed.ids)).toBe(0);
    expect(await state(kept.ids)).toEqual(kept.ids.map((id) => ({ id, status: 'delivered', holder: null, attempts: 1 })));
  });
});

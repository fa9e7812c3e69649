import { DataSource } from 'typeorm';
import { EventPublisher } from '../../src/events/event-publisher';
import { TeamsService } from '../../src/teams/teams.service';
import { UsersService } from '../../src/users/users.service';
import { DeliveryBatchRepository } from '../../src/webhooks/dispatch/delivery-batch.repository';
import { CreateWebhookEndpointDto } from '../../src/webhooks/dto/webhook.dto';
import { WebhookEndpointsService } from '../../src/webhooks/webhook-endpoints.service';
import { createServiceModule, ServiceModule } from '../utils/service-module';

const NIL = '00000000-0000-0000-0000-000000000000';

/**
 * The dispatcher's claim statement on a real database (ROLE=api: no dispatcher competes; the test claims itself):
 * how a team's quantum is shared between its endpoints.
 */
describe('DeliveryBatchRepository.claim (medium: real database)', () => {
  let m: ServiceModule;
  let ds: DataSource;
  let repo: DeliveryBatchRepository;
  let a: string;

  beforeAll(async () => {
    m = await createServiceModule({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    ds = m.moduleRef.get(DataSource);
    repo = new DeliveryBatchRepository(m.config);
    const user = await m.moduleRef.get(UsersService).create({ email: 'claim@example.com', password: 'long-enough-1' });
    const teamId = (await m.moduleRef.get(TeamsService).create('Claims', user.id)).id;
    const endpoint = async (url: string): Promise<string> =>
      (await m.moduleRef.get(WebhookEndpointsService).create(teamId, { url, eventTypes: ['job.completed'] } as CreateWebhookEndpointDto)).id;
    a = await endpoint('http://127.0.0.1:9/a');
    await endpoint('http://127.0.0.1:9/b');
    for (let i = 0; i < 20; i++) await ds.transaction((em) => m.moduleRef.get(EventPublisher).publish(em, { type: 'job.completed', teamId, data: { job_id: `j${i}` } }));
  });
  afterAll(async () => {
    await repo?.onApplicationShutdown();
    await m?.close();
  });
  afterEach(() => ds.query('UPDATE webhook_delivery SET claimed_until = NULL, claimed_by = NULL'));

  const claim = (busy: { endpointIds: string[]; remaining: number[] }) => {
    const now = new Date();
    return repo.claim({
      claimer: 'medium-test',
      afterTeam: NIL,
      now,
      dueBy: new Date(now.getTime() + 1000),
      leaseUntil: new Date(now.getTime() + 60_000),
      limit: 8,
      teamQuantum: 8,
      endpointAllowance: 32,
      busy,
      rateHorizonMs: 1000,
    });
  };
  const perEndpoint = (rows: { endpointId: string }[]): Record<string, number> =>
    rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.endpointId === a ? 'a' : 'b']: (acc[r.endpointId === a ? 'a' : 'b'] ?? 0) + 1 }), {});

  it('splits the quantum between the endpoints that may take more, and says each one its share', async () => {
    const rows = await claim({ endpointIds: [], remaining: [] });
    expect(perEndpoint(rows)).toEqual({ a: 4, b: 4 });
    expect(new Set(rows.map((r) => r.endpointShare))).toEqual(new Set([4]));
  });

  it('an endpoint at its cap (a dead one, say) leaves its share to the others', async () => {
    const rows = await claim({ endpointIds: [a], remaining: [0] });
    expect(perEndpoint(rows)).toEqual({ b: 8 });
    expect(rows[0].endpointShare).toBe(8);
  });
});

import { DataSource } from 'typeorm';
import { EventPublisher } from '../../src/events/event-publisher';
import { TeamsService } from '../../src/teams/teams.service';
import { UsersService } from '../../src/users/users.service';
import { CreateWebhookEndpointDto } from '../../src/webhooks/dto/webhook.dto';
import { WebhookEndpointsService } from '../../src/webhooks/webhook-endpoints.service';
import { createServiceModule, ServiceModule } from '../utils/service-module';
import { whileHeldOpen } from '../utils/wait';

/**
 * Publishing while one of the team's endpoints is being deleted in another transaction: the publishing transaction
 * (an admin change, a stored reply…) must not fail because the endpoint it read went away before it committed. The
 * deleted endpoint gets no delivery; the others get theirs.
 */
describe('EventPublisher while an endpoint is deleted (medium: real database)', () => {
  let m: ServiceModule;
  let ds: DataSource;
  let publisher: EventPublisher;
  let endpoints: WebhookEndpointsService;
  let teamId: string;

  beforeAll(async () => {
    m = await createServiceModule({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    ds = m.moduleRef.get(DataSource);
    publisher = m.moduleRef.get(EventPublisher);
    endpoints = m.moduleRef.get(WebhookEndpointsService);
    const user = await m.moduleRef.get(UsersService).create({ email: 'race@example.com', password: 'long-enough-1' });
    teamId = (await m.moduleRef.get(TeamsService).create('Race', user.id)).id;
  });
  afterAll(async () => {
    await m?.close();
  });

  const endpoint = async (url: string): Promise<string> =>
    (await endpoints.create(teamId, { url, eventTypes: ['job.completed'] } as CreateWebhookEndpointDto)).id;

  const publishers = {
    publish: () => ds.transaction(async (em) => [(await publisher.publish(em, { type: 'job.completed', teamId, data: { job_id: 'p' } })).eventId]),
    publishMany: () =>
      ds.transaction(async (em) => (await publisher.publishMany(em, [0, 1].map((k) => ({ type: 'job.completed', teamId, data: { job_id: `m${k}` } })))).eventIds),
  };

  it.each(Object.keys(publishers) as (keyof typeof publishers)[])('%s: the deleted endpoint is skipped, the others get their deliveries', async (kind) => {
    const doomed = await endpoint(`http://127.0.0.1:9/doomed-${kind}`);
    const kept = await endpoint(`http://127.0.0.1:9/kept-${kind}`);
    // the publish reads the endpoint while its deletion is not committed yet, and must wait for it
    const result = await whileHeldOpen(ds, (q) => q('DELETE FROM webhook_endpoint WHERE id = $1', [doomed]), publishers[kind]);
    expect(result).not.toHaveProperty('error');
    const ids = (result as { value: (string | null)[] }).value;
    const rows = (await ds.query('SELECT event_id, endpoint_id FROM webhook_delivery WHERE event_id = ANY ($1)', [ids])) as { event_id: string; endpoint_id: string }[];
    expect(rows.filter((r) => r.endpoint_id === doomed)).toEqual([]);
    expect(rows.filter((r) => r.endpoint_id === kept).map((r) => r.event_id).sort()).toEqual([...ids].sort());
    const events = (await ds.query('SELECT id FROM webhook_event WHERE id = ANY ($1)', [ids])) as { id: string }[];
    expect(events).toHaveLength(ids.length);
  });
});

import { DataSource } from 'typeorm';
import { EventPublisher } from '../../src/events/event-publisher';
import { TeamsService } from '../../src/teams/teams.service';
import { UsersService } from '../../src/users/users.service';
import { CreateWebhookEndpointDto } from '../../src/webhooks/dto/webhook.dto';
import { WebhookDeliveriesRepository } from '../../src/webhooks/webhook-deliveries.repository';
import { WebhookEndpointsService } from '../../src/webhooks/webhook-endpoints.service';
import { createServiceModule, ServiceModule } from '../utils/service-module';

/**
 * The webhook tables have no foreign keys to the team, the event or the endpoint (publishing would lock those rows):
 * deleting one still deletes what hangs off it — by the triggers of migration WebhookCascadeTriggers — and nothing else.
 */
describe('webhook rows are deleted with their team, event and endpoint (medium: real database)', () => {
  let m: ServiceModule;
  let ds: DataSource;
  let publisher: EventPublisher;
  let endpoints: WebhookEndpointsService;
  let teams: TeamsService;
  let ownerId: string;

  beforeAll(async () => {
    m = await createServiceModule({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    ds = m.moduleRef.get(DataSource);
    publisher = m.moduleRef.get(EventPublisher);
    endpoints = m.moduleRef.get(WebhookEndpointsService);
    teams = m.moduleRef.get(TeamsService);
    ownerId = (await m.moduleRef.get(UsersService).create({ email: 'cascade@example.com', password: 'long-enough-1' })).id;
  });
  afterAll(async () => {
    await m?.close();
  });

  /** A team with two endpoints, two events published to both, and an attempt row for every delivery. */
  const fixture = async (name: string) => {
    const teamId = (await teams.create(name, ownerId)).id;
    const endpoint = async (k: string) => (await endpoints.create(teamId, { url: `http://127.0.0.1:9/${name}/${k}`, eventTypes: ['job.completed'] } as CreateWebhookEndpointDto)).id;
    const [a, b] = [await endpoint('a'), await endpoint('b')];
    const { eventIds } = await ds.transaction((em) =>
      publisher.publishMany(em, [1, 2].map((k) => ({ type: 'job.completed', teamId, data: { job_id: `${name}-${k}` } }))),
    );
    await ds.query(
      `INSERT INTO webhook_attempt (delivery_id, attempt_number, request_headers, status_code, duration_ms, created_at)
       SELECT d.id, 1, '{}', 500, 3, now() FROM webhook_delivery d JOIN webhook_event e ON e.id = d.event_id WHERE e.team_id = $1`,
      [teamId],
    );
    return { teamId, a, b, eventIds: eventIds as string[] };
  };
  const count = async (sql: string, params: unknown[]): Promise<number> => Number(((await ds.query(sql, params)) as { n: string }[])[0].n);
  const deliveries = (endpointId: string) => count('SELECT count(*) AS n FROM webhook_delivery WHERE endpoint_id = $1', [endpointId]);
  const attempts = (endpointId: string) =>
    count('SELECT count(*) AS n FROM webhook_attempt t JOIN webhook_delivery d ON d.id = t.delivery_id WHERE d.endpoint_id = $1', [endpointId]);
  const allAttempts = () => count('SELECT count(*) AS n FROM webhook_attempt', []);

  it('deleting an endpoint deletes its deliveries and their attempts, not the other endpoint’s', async () => {
    const f = await fixture('endpoint');
    expect([await deliveries(f.a), await deliveries(f.b), await attempts(f.a)]).toEqual([2, 2, 2]);
    const before = await allAttempts();
    await endpoints.remove(f.teamId, f.a);
    expect([await deliveries(f.a), await deliveries(f.b), await attempts(f.b)]).toEqual([0, 2, 2]);
    expect(await allAttempts()).toBe(before - 2);
    expect(await count('SELECT count(*) AS n FROM webhook_event WHERE id = ANY ($1)', [f.eventIds])).toBe(2);
  });

  it('deleting a team deletes its events, deliveries and attempts, and leaves another team’s alone', async () => {
    const gone = await fixture('gone');
    const kept = await fixture('kept');
    await teams.remove(gone.teamId);
    expect(await count('SELECT count(*) AS n FROM webhook_event WHERE team_id = $1', [gone.teamId])).toBe(0);
    expect(await count('SELECT count(*) AS n FROM webhook_delivery WHERE event_id = ANY ($1)', [gone.eventIds])).toBe(0);
    expect(await count('SELECT count(*) AS n FROM webhook_attempt t WHERE NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.id = t.delivery_id)', [])).toBe(0);
    expect(await count('SELECT count(*) AS n FROM webhook_event WHERE team_id = $1', [kept.teamId])).toBe(2);
    expect([await deliveries(kept.a), await deliveries(kept.b), await attempts(kept.a), await attempts(kept.b)]).toEqual([2, 2, 2, 2]);
  });

  it('an event deleted by retention takes its deliveries with it', async () => {
    const f = await fixture('retention');
    const attemptsBefore = await allAttempts();
    await ds.query("UPDATE webhook_delivery SET status = 'delivered', delivered_at = now() - interval '40 days' WHERE endpoint_id = $1", [f.a]);
    // 40 days old (an event and its deliveries are created at the same instant)
    await ds.query("UPDATE webhook_event SET created_at = created_at - interval '40 days' WHERE id = ANY ($1)", [f.eventIds]);
    await ds.query("UPDATE webhook_delivery SET created_at = created_at - interval '40 days' WHERE event_id = ANY ($1)", [f.eventIds]);
    const repo = m.moduleRef.get(WebhookDeliveriesRepository);
    const cutoff = new Date(Date.now() - 30 * 86_400_000);
    expect(await repo.pruneDelivered(cutoff, 100)).toBe(2);
    // the events still have their deliveries to b: kept
    expect(await repo.pruneOrphanEvents(cutoff, 100)).toBe(0);
    await ds.query('DELETE FROM webhook_event WHERE id = $1', [f.eventIds[0]]);
    expect(await count('SELECT count(*) AS n FROM webhook_delivery WHERE event_id = $1', [f.eventIds[0]])).toBe(0);
    expect(await deliveries(f.b)).toBe(1);
    expect(await attempts(f.b)).toBe(1);
    // once its last delivery is pruned, the other event goes too
    await ds.query("UPDATE webhook_delivery SET status = 'delivered', delivered_at = now() - interval '40 days' WHERE endpoint_id = $1", [f.b]);
    expect(await repo.pruneDelivered(cutoff, 100)).toBe(1);
    expect(await repo.pruneOrphanEvents(cutoff, 100)).toBe(1);
    expect(await count('SELECT count(*) AS n FROM webhook_event WHERE id = ANY ($1)', [f.eventIds])).toBe(0);
    expect(await allAttempts()).toBe(attemptsBefore - 4);
  });
});

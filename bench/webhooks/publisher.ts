/**
 * The publishing side of bench:webhooks ("ours"), in its own process: the app with ROLE=api (no dispatcher), which
 * creates teams and endpoints through the services and publishes events the way every state change does — each in its
 * own transaction through EventPublisher.publish (or `perTx` events per transaction through publishMany, one statement),
 * `BENCH_PUBLISHERS` transactions at a time. Controlled over IPC.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AdminBootstrapService } from '../../src/auth/admin-bootstrap.service';
import { createWorkerContext } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/load-config';
import { prepareDatabase } from '../../src/database/prepare-database';
import { BENCH_ADMIN } from '../app-process';
import { EventPublisher } from '../../src/events/event-publisher';
import { TeamsService } from '../../src/teams/teams.service';
import { WebhookEndpointsService } from '../../src/webhooks/webhook-endpoints.service';

export type PublisherCommand =
  | { cmd: 'setup'; teams: number; endpointsPerTeam: number; url: string; deadUrl?: string; label: string }
  | { cmd: 'publish'; events: number; teamIds: string[]; publishers: number; perTx: number; label: string }
  | { cmd: 'exit' };

const now = (): number => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, ROLE: 'api' });
  await prepareDatabase(config);
  const app = await createWorkerContext(config);
  await app.init();
  const dataSource = app.get(DataSource);
  const events = app.get(EventPublisher);
  const endpoints = app.get(WebhookEndpointsService);
  const admin = await app.get(AdminBootstrapService).createAdmin(BENCH_ADMIN.email, BENCH_ADMIN.password, 'Bench');
  let firstTeamUsed = false;

  const setup = async (m: Extract<PublisherCommand, { cmd: 'setup' }>): Promise<string[]> => {
    const teamIds: string[] = [];
    for (let t = 0; t < m.teams; t++) {
      let teamId = admin.teamId as string;
      if (firstTeamUsed || !teamId) teamId = (await app.get(TeamsService).create(`${m.label} ${t}`, admin.userId)).id;
      firstTeamUsed = true;
      teamIds.push(teamId);
      for (let e = 0; e < m.endpointsPerTeam; e++) {
        await endpoints.create(teamId, { url: `${m.url}/${m.label}/t${t}/e${e}`, eventTypes: ['message.created'] });
      }
      if (m.deadUrl) await endpoints.create(teamId, { url: m.deadUrl, eventTypes: ['message.created'] });
    }
    return teamIds;
  };

  const publish = async (m: Extract<PublisherCommand, { cmd: 'publish' }>): Promise<void> => {
    let next = 0;
    const input = (i: number) => ({
      type: 'message.created',
      teamId: m.teamIds[i % m.teamIds.length],
      data: { message_id: `bench-${m.label}-${i}`, bench_sent_at: now() },
    });
    const publisher = async (): Promise<void> => {
      while (next < m.events) {
        const from = next;
        const to = Math.min(m.events, next + m.perTx);
        next = to;
        // (the range is fixed here: `next` moves on while this transaction starts)
        if (m.perTx === 1) {
          await dataSource.transaction((em) => events.publish(em, input(from)));
        } else {
          // several events in one transaction, one statement (what the pipeline's batched turn writes do)
          await dataSource.transaction((em) => events.publishMany(em, Array.from({ length: to - from }, (_, k) => input(from + k))));
        }
      }
    };
    await Promise.all(Array.from({ length: m.publishers }, publisher));
  };

  process.on('message', (m: PublisherCommand) => {
    if (m.cmd === 'exit') {
      void app.close().then(() => process.exit(0));
      return;
    }
    const run = m.cmd === 'setup' ? setup(m).then((teamIds) => ({ teamIds })) : publish(m).then(() => ({ publishedAt: now() }));
    run.then(
      (r) => process.send?.(r),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  });
  process.send?.({ ready: true });
  process.on('disconnect', () => process.exit(0)); // the bench is gone: so are we
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

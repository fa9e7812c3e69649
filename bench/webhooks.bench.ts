/**
 * npm run bench:webhooks — publishes events through the outbox (EventsService.publish in a transaction, like every
 * state change does) and measures delivery to a local receiver: run 1 to one endpoint, run 2 fanned out to 10
 * endpoints. Each run is followed by a bare reference doing the same number of deliveries: BullMQ producer + worker,
 * one undici POST and one INSERT per delivery. Prints deliveries/s, event→receipt p50/p99 and the ratio ours/reference.
 *
 * Bounded: BENCH_EVENTS events per run (default 20,000) and BENCH_TIMEOUT_S per run (default 300); it stops by itself.
 * Uses its own database (switchboard_bench_webhooks) and BullMQ prefix.
 */
import 'reflect-metadata';
import { Queue, Worker } from 'bullmq';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Client, Pool } from 'pg';
import { Agent, request } from 'undici';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/load-config';
import { prepareDatabase } from '../src/database/prepare-database';
import { EventsService } from '../src/events/events.service';
import { redisOptionsFromUrl } from '../src/queue/queues';
import { AdminBootstrapService } from '../src/auth/bootstrap-admin.service';
import { WebhookSigner } from '../src/http/signing/webhook-signer';
import { machine, table } from './machine';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
/** Endpoints per run, ascending: each run adds endpoints to the last one's. */
const FAN_OUT = (process.env.BENCH_FAN_OUT ?? '1,10').split(',').map(Number);
const SKIP_REFERENCE = process.env.BENCH_SKIP_REFERENCE === 'true';
const PUBLISHERS = Number(process.env.BENCH_PUBLISHERS ?? 16); // concurrent publishing transactions, like busy API requests
const DB = 'switchboard_bench_webhooks';
const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432';

/** A local endpoint: answers 204 at once and records when each (event, endpoint) arrived. */
class Receiver {
  private server!: Server;
  port = 0;
  private seen = new Set<string>();
  latencies: number[] = [];
  first = 0;
  last = 0;
  private waiter?: { n: number; resolve: () => void };

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const now = performance.timeOrigin + performance.now();
        res.writeHead(204).end();
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; data: { bench_sent_at: number } };
        const key = `${req.url}|${body.id}`;
        if (this.seen.has(key)) return; // at-least-once: a duplicate is not a second delivery
        this.seen.add(key);
        if (!this.first) this.first = now;
        this.last = now;
        this.latencies.push(now - body.data.bench_sent_at);
        if (this.waiter && this.seen.size >= this.waiter.n) this.waiter.resolve();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  reset(): void {
    this.seen.clear();
    this.latencies = [];
    this.first = this.last = 0;
  }

  get count(): number {
    return this.seen.size;
  }

  /** Resolves when n distinct deliveries arrived, or after the timeout (the run then reports what it got). */
  waitFor(n: number, timeoutMs: number): Promise<void> {
    if (this.seen.size >= n) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiter = {
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.server.closeAllConnections();
      this.server.close(() => r());
    });
  }
}

interface RunResult {
  run: string;
  deliveries: number;
  expected: number;
  seconds: number;
  perSecond: number;
  /** Events published (ours: committed transactions; reference: jobs added) per second. */
  publishedPerSecond: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function result(run: string, rx: Receiver, expected: number, startedAt: number, publishedAt: number): RunResult {
  const sorted = [...rx.latencies].sort((a, b) => a - b);
  const seconds = ((rx.last || startedAt) - startedAt) / 1000;
  return {
    run,
    deliveries: rx.count,
    expected,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(rx.count / Math.max(seconds, 0.001)),
    publishedPerSecond: Math.round(EVENTS / Math.max((publishedAt - startedAt) / 1000, 0.001)),
    p50: Math.round(percentile(sorted, 50)),
    p99: Math.round(percentile(sorted, 99)),
  };
}

const now = (): number => performance.timeOrigin + performance.now();

async function runOurs(label: string, dataSource: DataSource, events: EventsService, teamId: string, rx: Receiver, endpoints: number): Promise<RunResult> {
  rx.reset();
  const expected = EVENTS * endpoints;
  const startedAt = now();
  let next = 0;
  const publisher = async (): Promise<void> => {
    while (next < EVENTS) {
      const i = next++;
      await dataSource.transaction((em) =>
        events.publish(em, { type: 'message.created', teamId, data: { message_id: `bench-${label}-${i}`, bench_sent_at: now() } }),
      );
    }
  };
  await Promise.all(Array.from({ length: PUBLISHERS }, publisher));
  const publishedAt = now();
  await rx.waitFor(expected, TIMEOUT_S * 1000);
  return result(label, rx, expected, startedAt, publishedAt);
}

/** The bare reference: producer adds one job per delivery; a BullMQ worker POSTs with undici and INSERTs one row. */
async function runReference(label: string, redisUrl: string, prefix: string, pool: Pool, rx: Receiver, endpoints: number): Promise<RunResult> {
  rx.reset();
  const expected = EVENTS * endpoints;
  const connection = redisOptionsFromUrl(redisUrl);
  const queue = new Queue('webhook-reference', { connection, prefix });
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: CONCURRENCY });
  const signer = new WebhookSigner();
  const secret = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
  const worker = new Worker<{ url: string; body: string; id: string }>(
    'webhook-reference',
    async (job) => {
      const started = Date.now();
      const ts = Math.floor(started / 1000);
      const headers = signer.headers({ secrets: [secret], msgId: job.data.id, timestampSeconds: ts, body: job.data.body, eventType: 'message.created' });
      const res = await request(job.data.url, { method: 'POST', body: job.data.body, headers, dispatcher });
      await res.body.dump();
      await pool.query('INSERT INTO bench_reference_attempt (delivery, status, duration_ms) VALUES ($1, $2, $3)', [job.id, res.statusCode, Date.now() - started]);
    },
    { connection, prefix, concurrency: CONCURRENCY, removeOnComplete: { count: 1000 } },
  );
  const startedAt = now();
  for (let i = 0; i < EVENTS; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(EVENTS, i + 500); j++) {
      const id = `evt_ref_${label}_${j}`;
      const body = JSON.stringify({ id, type: 'message.created', timestamp: new Date().toISOString(), team_id: 'reference', data: { message_id: `ref-${j}`, bench_sent_at: now() } });
      for (let e = 0; e < endpoints; e++) batch.push({ name: 'deliver', data: { url: `http://127.0.0.1:${rx.port}/e${e}`, body, id }, opts: { jobId: `${id}-${e}` } });
    }
    await queue.addBulk(batch);
  }
  const publishedAt = now();
  await rx.waitFor(expected, TIMEOUT_S * 1000);
  const r = result(label, rx, expected, startedAt, publishedAt);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await dispatcher.close();
  return r;
}

async function main(): Promise<void> {
  const admin = new Client({ connectionString: `${BASE}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.end();
  const prefix = `sbbenchwh${process.pid}`;
  const rx = await new Receiver().start();
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    ROLE: 'all',
    LOG_LEVEL: 'silent',
    DATABASE_URL: `${BASE}/${DB}`,
    BULLMQ_PREFIX: prefix,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0000',
    ENCRYPTION_KEYS: `b1:${Buffer.alloc(32, 9).toString('base64')}`,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_CONCURRENCY: String(CONCURRENCY),
  });
  await prepareDatabase(config);
  const app = await createHttpApp(config);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const dataSource = app.get(DataSource);
  const events = app.get(EventsService);

  // a team and its endpoints, through the API like a user would
  const { teamId } = await app.get(AdminBootstrapService).createAdmin('bench@example.com', 'bench-password-1', 'Bench');
  if (!teamId) throw new Error('the bench admin got no team');
  const api = async (path: string, init: { method: string; body?: unknown; token?: string }): Promise<Record<string, unknown>> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: init.method,
      headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${init.method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const { accessToken } = (await api('/v1/auth/login', { method: 'POST', body: { email: 'bench@example.com', password: 'bench-password-1' } })) as { accessToken: string };
  const createEndpoint = (i: number): Promise<Record<string, unknown>> =>
    api(`/v1/teams/${teamId}/webhooks`, { method: 'POST', token: accessToken, body: { url: `http://127.0.0.1:${rx.port}/e${i}`, eventTypes: ['message.created'] } });

  const pool = new Pool({ connectionString: `${BASE}/${DB}`, max: 20 });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_reference_attempt (id bigserial PRIMARY KEY, delivery text NOT NULL, status int NOT NULL, duration_ms int NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');

  const rows: RunResult[] = [];
  const ratios: string[] = [];
  let endpoints = 0;
  for (const fanOut of FAN_OUT) {
    while (endpoints < fanOut) await createEndpoint(endpoints++);
    const label = `${fanOut} endpoint${fanOut === 1 ? '' : 's'}`;
    const ours = await runOurs(`switchboard, ${label}`, dataSource, events, teamId, rx, fanOut);
    const ref = SKIP_REFERENCE ? null : await runReference(`reference, ${label}`, config.redis.url, prefix, pool, rx, fanOut);
    rows.push(ours, ...(ref ? [ref] : []));
    if (ref) ratios.push(`${label}: ${(ours.perSecond / ref.perSecond).toFixed(2)}`);
  }

  console.log(`\nbench:webhooks — ${EVENTS} events per run, delivery concurrency ${CONCURRENCY}, on ${machine()}\n`);
  console.log(
    table(
      rows.map((r) => ({
        run: r.run,
        'delivered/expected': `${r.deliveries}/${r.expected}`,
        seconds: r.seconds,
        'events published/s': r.publishedPerSecond,
        'deliveries/s': r.perSecond,
        'p50 ms': r.p50,
        'p99 ms': r.p99,
      })),
    ),
  );
  console.log(`\nratio ours/reference (deliveries/s): ${ratios.join(', ')} (aim ≥ 0.5; aim ≥ 2,000 deliveries/s on 2 cores)`);
  console.log('latency = from the publishing transaction (or the reference producer) to receipt at the endpoint');
  console.log('ours publishes each event in its own transaction (as every state change does), while delivering; the reference only adds jobs\n');

  await pool.end();
  await app.close();
  await rx.close();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

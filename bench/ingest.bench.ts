/**
 * npm run bench:ingest — autocannon against the signed Telegram webhook route (guard → INSERT … ON CONFLICT → BullMQ
 * add → 200) for 10 s at 50 connections, beside a bare node:http server doing the same secret check + INSERT + add,
 * in the same run. Uses its own database (switchboard_bench) and BullMQ prefix; stops by itself.
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { createServer } from 'node:http';
import { Client, Pool } from 'pg';
import { createHttpApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/load-config';
import { constantTimeEqual } from '../src/crypto/secrets';
import { prepareDatabase } from '../src/database/prepare-database';
import { redisOptionsFromUrl } from '../src/queue/queues';
import { AdminBootstrapService } from '../src/auth/admin-bootstrap.service';
import { FakeTelegramApi } from '../test/fakes/telegram.fake';
import { machine, table } from './machine';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 50;
const DB = 'switchboard_bench';
const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432';

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

function body(id: number): string {
  return JSON.stringify({
    update_id: id,
    message: { message_id: id, date: 1700000000, from: { id: 1000 + (id % 500), is_bot: false, first_name: 'Ada' }, chat: { id: 1000 + (id % 500), type: 'private' }, text: `hello ${id}` },
  });
}

async function load(name: string, url: string, secret: string): Promise<Result> {
  let n = 0;
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    requests: [{ setupRequest: (req) => ({ ...req, body: body(++n + (name === 'reference' ? 50_000_000 : 0)) }) }],
  });
  return { name, rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, total: r.requests.total };
}

async function main(): Promise<void> {
  const admin = new Client({ connectionString: `${BASE}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.end();
  const prefix = `sbbench${process.pid}`;
  const tg = await new FakeTelegramApi().start();
  const token = '555000111:AAbenchbenchbenchbenchbenchbenchbe';
  tg.addBot(token, { id: 555000111, username: 'bench_bot', first_name: 'Bench' });
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    ROLE: 'api', // ingest only: the worker would compete for the same 2 cores
    LOG_LEVEL: 'silent',
    DATABASE_URL: `${BASE}/${DB}`,
    BULLMQ_PREFIX: prefix,
    TELEGRAM_API_ROOT: tg.url,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0000',
    ENCRYPTION_KEYS: `b1:${Buffer.alloc(32, 9).toString('base64')}`,
  });
  await prepareDatabase(config);
  const app = await createHttpApp(config);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;

  // a team, an agent and a Telegram connection, through the service and API like a user would
  const bootstrap = app.get(AdminBootstrapService);
  const { teamId } = await bootstrap.createAdmin('bench@example.com', 'bench-password-1', 'Bench');
  const api = async (path: string, init: { method: string; body?: unknown; token?: string }): Promise<Record<string, unknown>> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: init.method,
      headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const { accessToken } = (await api('/v1/auth/login', { method: 'POST', body: { email: 'bench@example.com', password: 'bench-password-1' } })) as { accessToken: string };
  const agent = await api(`/v1/teams/${teamId}/agents`, { method: 'POST', token: accessToken, body: { name: 'Bench' } });
  const conn = await api(`/v1/teams/${teamId}/agents/${agent.id}/connections`, { method: 'POST', token: accessToken, body: { platform: 'telegram', credentials: { botToken: token } } });
  const secret = tg.webhookOf(token)?.secret_token as string;

  // warm up, then measure ours
  await load('warmup', `http://127.0.0.1:${port}/webhooks/telegram/${conn.id}`, secret).catch(() => undefined);
  const ours = await load('switchboard (Telegram route)', `http://127.0.0.1:${port}/webhooks/telegram/${conn.id}`, secret);

  // the bare reference: node:http + the same secret check + one INSERT … ON CONFLICT + one BullMQ add
  const pool = new Pool({ connectionString: `${BASE}/${DB}`, max: 20 });
  const queue = new Queue('inbound-reference', { connection: redisOptionsFromUrl(config.redis.url), prefix });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const given = req.headers['x-telegram-bot-api-secret-token'];
        if (typeof given !== 'string' || !constantTimeEqual(given, secret)) {
          res.writeHead(401).end();
          return;
        }
        const update = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { update_id: number; message: { chat: { id: number } } };
        const rows = await pool.query(
          `INSERT INTO inbound_event (connection_id, platform, dedupe_key, ordering_key, payload, status) VALUES ($1, 'telegram', $2, $3, $4, 'received')
           ON CONFLICT (connection_id, dedupe_key) DO NOTHING RETURNING id`,
          [conn.id, String(update.update_id), String(update.message.chat.id), update],
        );
        if (rows.rowCount) await queue.add('inbound', { eventId: rows.rows[0].id }, { jobId: rows.rows[0].id });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      })().catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const refPort = (server.address() as { port: number }).port;
  const reference = await load('reference', `http://127.0.0.1:${refPort}/`, secret);

  console.log(`\nbench:ingest — ${DURATION_S} s, ${CONNECTIONS} connections, on ${machine()}\n`);
  console.log(table([ours, reference].map((r) => ({ run: r.name, 'req/s': r.rps, 'p50 ms': r.p50, 'p99 ms': r.p99, requests: r.total, errors: r.errors, 'non-2xx': r.non2xx }))));
  console.log(`\nratio ours/reference: ${(ours.rps / reference.rps).toFixed(2)} (aim ≥ 0.5); p99 ${ours.p99} ms (aim < 50 ms)\n`);

  server.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await pool.end();
  await app.get<Queue>('BullQueue_inbound').obliterate({ force: true }).catch(() => undefined);
  await app.close();
  await tg.stop();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

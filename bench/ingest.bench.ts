/**
 * npm run bench:ingest — autocannon against the signed Telegram webhook route (guard → INSERT … ON CONFLICT → RPUSH
 * onto the wake-up list → 200) for 10 s at 50 connections, beside a bare node:http server doing the same secret check + INSERT + add
 * (bench/ingest-reference.ts), in the same run. The app (`ROLE=api`) and the reference each run in their own process;
 * this process is the load generator and the fake Telegram API. Own database (switchboard_bench) and BullMQ prefix;
 * stops by itself.
 */
import autocannon from 'autocannon';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { QueueName, redisOptionsFromUrl } from '../src/queue/queues';
import { wakeupListKey } from '../src/queue/wakeup-list';
import { FakeTelegramApi } from '../test/fakes/telegram.fake';
import { BENCH_ADMIN, BENCH_SECRETS, freePort, httpReady, startProc, stopProcs } from './app-process';
import { machine, machineLoad, table } from './machine';

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
  const vm = machineLoad();
  const admin = new Client({ connectionString: `${BASE}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
  const prefix = `sbbench${process.pid}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const tg = await new FakeTelegramApi().start();
  const token = '555000111:AAbenchbenchbenchbenchbenchbenchbe';
  tg.addBot(token, { id: 555000111, username: 'bench_bot', first_name: 'Bench' });
  const port = await freePort();
  const build = join(__dirname, '..');
  const app = await startProc(
    join(build, 'src', 'main.js'),
    {
      NODE_ENV: 'test',
      ROLE: 'api', // ingest only: the worker would compete for the same 2 cores
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_URL: `${BASE}/${DB}`,
      REDIS_URL: redisUrl,
      BULLMQ_PREFIX: prefix,
      TELEGRAM_API_ROOT: tg.url,
      ...BENCH_SECRETS,
      ADMIN_EMAIL: BENCH_ADMIN.email,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
      CONNECTION_HEALTH_INTERVAL_S: '0',
    },
    httpReady(port),
  );

  // a team, an agent and a Telegram connection, through the API like a user would
  const api = async (path: string, init: { method: string; body?: unknown; token?: string }): Promise<Record<string, unknown>> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: init.method,
      headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const { accessToken } = (await api('/v1/auth/login', { method: 'POST', body: { email: BENCH_ADMIN.email, password: BENCH_ADMIN.password } })) as { accessToken: string };
  const me = (await api('/v1/me', { method: 'GET', token: accessToken })) as { teams: { id: string }[] };
  const teamId = me.teams[0].id;
  const agent = await api(`/v1/teams/${teamId}/agents`, { method: 'POST', token: accessToken, body: { name: 'Bench' } });
  const conn = await api(`/v1/teams/${teamId}/agents/${String(agent.id)}/connections`, { method: 'POST', token: accessToken, body: { platform: 'telegram', credentials: { botToken: token } } });
  const secret = tg.webhookOf(token)?.secret_token as string;

  // warm up, then measure ours
  await load('warmup', `http://127.0.0.1:${port}/webhooks/telegram/${String(conn.id)}`, secret).catch(() => undefined);
  const ours = await load('switchboard (Telegram route)', `http://127.0.0.1:${port}/webhooks/telegram/${String(conn.id)}`, secret);
  await stopProcs([app]);

  // the bare reference, in its own process too
  const refPort = await freePort();
  const ref = await startProc(
    join(build, 'bench', 'ingest-reference.js'),
    { PORT: String(refPort), DATABASE_URL: `${BASE}/${DB}`, REDIS_URL: redisUrl, BULLMQ_PREFIX: prefix, SECRET: secret, CONNECTION_ID: String(conn.id) },
    /reference started/,
  );
  const reference = await load('reference', `http://127.0.0.1:${refPort}/`, secret);
  await stopProcs([ref]);

  console.log(`\nbench:ingest — ${DURATION_S} s, ${CONNECTIONS} connections, on ${machine()}\n${vm.summary()}\n`);
  console.log(table([ours, reference].map((r) => ({ run: r.name, 'req/s': r.rps, 'p50 ms': r.p50, 'p99 ms': r.p99, requests: r.total, errors: r.errors, 'non-2xx': r.non2xx }))));
  console.log(`\nratio ours/reference: ${(ours.rps / reference.rps).toFixed(2)} (aim ≥ 0.5); p99 ${ours.p99} ms (aim < 50 ms)\n`);
  // the app's wake-ups (nobody consumed them: ROLE=api) go with the run
  const redis = new Redis(redisOptionsFromUrl(redisUrl));
  await redis.del(wakeupListKey(prefix, QueueName.Inbound), `${prefix}:inbound-reference:wakeups`).catch(() => undefined);
  redis.disconnect();
  await tg.stop();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

/**
 * npm run bench:webhooks — outbound delivery throughput and latency, every party in its own process:
 * - the receiver (bench/webhooks/receiver.ts: 204 at once, counts distinct receipts, event→receipt latency);
 * - ours: a publisher (the app, ROLE=api: each event its own transaction through EventPublisher.publish) and a worker
 *   (`node src/main.js`, ROLE=worker: the batch dispatcher), woken across processes as in a deployment;
 * - the BullMQ reference (one job per delivery; undici POST + one INSERT each) and the PG-batch limit (claim a batch
 *   with SKIP LOCKED, POST it, record it in one statement), each consumer in its own process, produced from here.
 * For fan-out 1 and 10: ours, the reference and the limit, and our ratio to each (at fan-out 1 each party runs
 * BENCH_REPEATS times, default 3, interleaved, and the median run is kept). Then ours with 1,000 endpoints over
 * 100 teams (the claim's cost must not grow with endpoints), and a live endpoint alone, then beside a dead one (never
 * answers; 10 s timeout). First, the wake-up mechanisms (ADR 0005) unless BENCH_WAKEUP=false.
 * Bounded: BENCH_EVENTS per run (default 20,000), BENCH_TIMEOUT_S per run (default 300). Own database and prefix.
 * Profiling: BENCH_NODE_ARGS (the worker) and BENCH_PUBLISHER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
 */
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { redisOptionsFromUrl } from '../src/queue/queues';
import { BENCH_SECRETS } from './app-process';
import { machine, machineLoad, table } from './machine';
import { Child, forkChild, startApp } from './webhooks/procs';
import type { PublisherCommand } from './webhooks/publisher';
import type { ReceiverCommand, ReceiverStats } from './webhooks/receiver';
import { PG_SCHEMA, REFERENCE_QUEUE } from './webhooks/reference-schema';
import { measureWakeups } from './webhooks/wakeup';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 100);
const PUBLISHERS = Number(process.env.BENCH_PUBLISHERS ?? 16);
/** Events per publishing transaction in the throughput runs (publishMany: one statement); 1 = publish each alone. */
const PER_TX = Number(process.env.BENCH_EVENTS_PER_TX ?? 10);
const FAN_OUT = (process.env.BENCH_FAN_OUT ?? '1,10').split(',').map(Number);
const ONLY = process.env.BENCH_ONLY; // ours | refs | many | dead (one part only, e.g. for a CPU profile)
/** Runs of each party at fan-out 1, interleaved; the table keeps the median. */
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const DB = 'switchboard_bench_webhooks';
const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const dir = join(__dirname, 'webhooks');
const now = (): number => performance.timeOrigin + performance.now();

interface Row {
  run: string;
  /** deliveries/s of every run when the row is the median of several */
  runs?: string;
  delivered: string;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Events published (ours: committed transactions; references: produced) per second. */
  published: number;
}

let receiver: Child;
let db: Client;

/** The run with the median deliveries/s (undefined for none), with every run's deliveries/s when there were several. */
function median(runs: Row[]): Row | undefined {
  if (!runs.length) return undefined;
  const mid = [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)];
  return runs.length > 1 ? { ...mid, runs: runs.map((r) => r.perSecond).join(' / ') } : mid;
}

async function measure(run: string, events: number, expected: number, path: string | undefined, produce: () => Promise<unknown>): Promise<Row> {
  receiver.child.send({ cmd: 'reset', expected, path } satisfies ReceiverCommand);
  const done = receiver.next((m) => m.done === true, TIMEOUT_S * 1000).catch(() => undefined);
  const started = now();
  await produce();
  const published = Math.round(events / ((now() - started) / 1000));
  await done;
  receiver.child.send({ cmd: 'stats' } satisfies ReceiverCommand);
  const { stats } = await receiver.next<{ stats: ReceiverStats }>((m) => 'stats' in m);
  const seconds = ((stats.last || started) - started) / 1000;
  const row = {
    run,
    delivered: `${stats.count}/${expected}`,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(stats.count / Math.max(seconds, 0.001)),
    p50: Math.round(stats.p50),
    p99: Math.round(stats.p99),
    published,
  };
  console.error(`  ${JSON.stringify(row)}${stats.duplicates ? ` (${stats.duplicates} duplicates)` : ''}`);
  return row;
}

async function truncate(): Promise<void> {
  // the worker may still be recording the previous run's last attempts: a deadlock with it is retried
  for (let tries = 1; ; tries++) {
    try {
      await db.query('TRUNCATE webhook_attempt, webhook_delivery, webhook_event, bench_attempt, bench_delivery');
      break;
    } catch (e) {
      if ((e as { code?: string }).code !== '40P01' || tries >= 5) throw e;
    }
  }
  await db.query('VACUUM ANALYZE webhook_delivery');
}

async function main(): Promise<void> {
  const vm = machineLoad();
  const admin = new Client({ connectionString: `${BASE}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
  const dbUrl = `${BASE}/${DB}`;
  const prefix = `sbbenchwh${process.pid}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: dbUrl,
    REDIS_URL: REDIS,
    BULLMQ_PREFIX: prefix,
    ...BENCH_SECRETS,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_CONCURRENCY: String(CONCURRENCY),
    BENCH_CONCURRENCY: String(CONCURRENCY),
    CONNECTION_HEALTH_INTERVAL_S: '0',
    TELEGRAM_POLL_SCAN_MS: '0',
    INBOUND_SWEEP_INTERVAL_S: '0',
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('WEBHOOK_') || k.startsWith('BENCH_LIMIT_'))),
  };
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];

  const wakeups = process.env.BENCH_WAKEUP === 'false' || ONLY ? [] : await measureWakeups(dbUrl, REDIS, `bench_${prefix}`);

  const rx = await forkChild(join(dir, 'receiver.js'), [], env);
  receiver = rx.proc;
  const url = `http://127.0.0.1:${String(rx.ready.port)}`;
  const deadUrl = `http://127.0.0.1:${String(rx.ready.deadPort)}/dead`;
  const publisherArgs = process.env.BENCH_PUBLISHER_NODE_ARGS ? process.env.BENCH_PUBLISHER_NODE_ARGS.split(' ') : [];
  const { proc: publisher } = await forkChild(join(dir, 'publisher.js'), [], env, publisherArgs); // migrates the database
  const ask = async <T>(m: PublisherCommand): Promise<T> => {
    publisher.child.send(m);
    return publisher.next<T>((r) => 'teamIds' in r || 'publishedAt' in r, TIMEOUT_S * 1000);
  };
  db = new Client({ connectionString: dbUrl });
  await db.connect();
  await db.query(PG_SCHEMA);
  // info: a worker logs no line per delivery, and its start line says when it is ready
  const workerEnv = { ...env, ROLE: 'worker', MIGRATIONS_RUN: 'false', LOG_LEVEL: process.env.BENCH_WORKER_LOG_LEVEL ?? 'info', LOG_FORMAT: 'json' };
  const worker = await startApp(join(__dirname, '..', 'src', 'main.js'), workerEnv, nodeArgs);

  const ours = async (label: string, teams: number, endpointsPerTeam: number, events = EVENTS, opts: { dead?: boolean; perTx?: number } = {}): Promise<Row> => {
    const { teamIds } = await ask<{ teamIds: string[] }>({ cmd: 'setup', teams, endpointsPerTeam, url, deadUrl: opts.dead ? deadUrl : undefined, label });
    await truncate();
    const path = opts.dead ? `/${label}/t0/e0` : `/${label}/`;
    return measure(label, events, events * endpointsPerTeam, path, () => ask({ cmd: 'publish', events, teamIds, publishers: PUBLISHERS, perTx: opts.perTx ?? PER_TX, label }));
  };
  const bullmq = async (label: string, fanOut: number): Promise<Row> => {
    const { proc } = await forkChild(join(dir, 'reference-worker.js'), ['bullmq'], env);
    const queue = new Queue(REFERENCE_QUEUE, { connection: redisOptionsFromUrl(REDIS), prefix });
    const row = await measure(label, EVENTS, EVENTS * fanOut, `/bullmq${fanOut}/`, async () => {
      for (let i = 0; i < EVENTS; i += 500) {
        const jobs = [];
        for (let j = i; j < Math.min(EVENTS, i + 500); j++) {
          const id = `evt_ref_${label.length}_${j}`;
          const body = JSON.stringify({ id, type: 'message.created', timestamp: new Date().toISOString(), team_id: 'reference', data: { message_id: `ref-${j}`, bench_sent_at: now() } });
          for (let e = 0; e < fanOut; e++) jobs.push({ name: 'deliver', data: { url: `${url}/bullmq${fanOut}/e${e}`, body, id }, opts: { jobId: `${id}-${e}` } });
        }
        await queue.addBulk(jobs);
      }
    });
    await proc.stop();
    await queue.obliterate({ force: true });
    await queue.close();
    return row;
  };
  const limit = async (label: string, fanOut: number): Promise<Row> => {
    await truncate();
    const { proc } = await forkChild(join(dir, 'reference-worker.js'), ['pgbatch'], env);
    const row = await measure(label, EVENTS, EVENTS * fanOut, `/limit${fanOut}/`, async () => {
      for (let i = 0; i < EVENTS; i += 500) {
        const ids: string[] = [];
        const urls: string[] = [];
        const bodies: string[] = [];
        for (let j = i; j < Math.min(EVENTS, i + 500); j++) {
          const id = `evt_lim_${j}`;
          const body = JSON.stringify({ id, type: 'message.created', timestamp: new Date().toISOString(), team_id: 'limit', data: { message_id: `lim-${j}`, bench_sent_at: now() } });
          for (let e = 0; e < fanOut; e++) {
            ids.push(id);
            urls.push(`${url}/limit${fanOut}/e${e}`);
            bodies.push(body);
          }
        }
        await db.query('INSERT INTO bench_delivery (event_id, url, body) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])', [ids, urls, bodies]);
      }
    });
    await proc.stop();
    return row;
  };

  console.error(`bench:webhooks on ${machine()}`);
  await ours('warm-up', 1, 1, 2000);
  const rows: Row[] = [];
  const ratios: string[] = [];
  const byFanOut = new Map<number, { ours?: Row; ref?: Row; lim?: Row }>();
  for (const fanOut of FAN_OUT) {
    const name = `${fanOut} endpoint${fanOut === 1 ? '' : 's'}`;
    // fan-out 1 (seconds per run): each of the three BENCH_REPEATS times, interleaved (ours, BullMQ, limit, then the
    // other way round…), and the median run of each kept: on a shared VM whose speed drifts, single runs of a few
    // seconds differ by ±10 %, and the ratios below should compare the parties, not the moments they ran at
    const runs: { ours: Row[]; ref: Row[]; lim: Row[] } = { ours: [], ref: [], lim: [] };
    const parties = {
      ours: async () => ours(`ours, ${name}`.replace(/\W+/g, '-'), 1, fanOut),
      ref: async () => bullmq(`BullMQ reference, ${name}`, fanOut),
      lim: async () => limit(`PG-batch limit, ${name}`, fanOut),
    };
    const chosen = (['ours', 'ref', 'lim'] as const).filter((k) => !ONLY || ONLY === (k === 'ours' ? 'ours' : 'refs'));
    for (let rep = 0; rep < (fanOut === 1 ? REPEATS : 1); rep++) {
      for (const k of rep % 2 ? [...chosen].reverse() : chosen) runs[k].push(await parties[k]());
    }
    const r = { ours: median(runs.ours), ref: median(runs.ref), lim: median(runs.lim) };
    if (r.ours) r.ours.run = `switchboard, ${name}${PER_TX > 1 ? ` (${PER_TX} events per transaction)` : ''}`;
    byFanOut.set(fanOut, r);
    rows.push(...[r.ours, r.ref, r.lim].filter((x): x is Row => !!x));
    if (PER_TX > 1 && fanOut === 1 && (!ONLY || ONLY === 'ours')) {
      // the same with every event in its own transaction: bound by how fast one process commits
      const single = await ours(`ours-single, ${name}`.replace(/\W+/g, '-'), 1, fanOut, EVENTS, { perTx: 1 });
      single.run = `switchboard, ${name} (one event per transaction)`;
      rows.push(single);
    }
    if (r.ours && r.ref && r.lim) {
      ratios.push(`${name}: ${(r.ours.perSecond / r.ref.perSecond).toFixed(2)}× the BullMQ reference, ${(r.ours.perSecond / r.lim.perSecond).toFixed(2)}× the PG-batch limit`);
    }
  }
  if (!ONLY || ONLY === 'many') {
    const many = await ours('many', 100, 10, EVENTS);
    many.run = 'switchboard, 1,000 endpoints over 100 teams (10 each)';
    rows.push(many);
  }
  if (!ONLY || ONLY === 'dead') {
    const n = Math.round(EVENTS / 4);
    const alone = await ours('alone', 1, 1, n);
    alone.run = `switchboard, 1 live endpoint alone (${n} events)`;
    const beside = await ours('beside', 1, 1, n, { dead: true });
    beside.run = `switchboard, the same live endpoint beside a dead one`;
    rows.push(alone, beside);
  }

  console.log(
    `\nbench:webhooks — ${EVENTS} events per run, ${PUBLISHERS} publishing transactions at a time (${PER_TX} events each unless the row says otherwise), concurrency ${CONCURRENCY}, on ${machine()}\n${vm.summary()}\n`,
  );
  if (wakeups.length) {
    console.log('Waking a dispatcher in another process after commit (16 clients committing; median of rounds):\n');
    console.log(table(wakeups as unknown as Record<string, string | number>[]));
    console.log('');
  }
  console.log(
    table(
      rows.map((r) => ({
        run: r.run,
        'delivered/expected': r.delivered,
        seconds: r.seconds,
        'events published/s': r.published,
        'deliveries/s': r.perSecond,
        'p50 ms': r.p50,
        'p99 ms': r.p99,
        'runs, deliveries/s': r.runs ?? '',
      })),
    ),
  );
  if (ratios.length) console.log(`\nours / reference (deliveries/s): ${ratios.join('; ')}`);
  console.log('aims on 2 cores: ≥ 5,000/s at fan-out 10, ≥ 3,000/s at fan-out 1, ≥ 2× the BullMQ reference, ≥ 0.6× the PG-batch limit, p99 < 1 s at fan-out 1');
  console.log('latency = from the publishing transaction (or the reference producer) to receipt; ours publishes while delivering, in the same 2 cores\n');

  await worker.stop();
  const stats = worker.logs().split('\n').filter((l) => l.includes(' claims ('));
  if (stats.length) console.error(`worker stats:\n${stats.map((l) => (JSON.parse(l) as { msg: string }).msg).join('\n')}`);
  const warnings = worker.logs().split('\n').filter((l) => /"level":(40|50|60)/.test(l));
  if (warnings.length) console.error(`worker warnings (${warnings.length}), last ones:\n${warnings.slice(-5).join('\n')}`);
  publisher.child.send({ cmd: 'exit' } satisfies PublisherCommand);
  await publisher.stop(10_000);
  receiver.child.send({ cmd: 'exit' } satisfies ReceiverCommand);
  await receiver.stop();
  await db.end();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

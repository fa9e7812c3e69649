/**
 * npm run bench:pipeline — conversations through the whole inbound pipeline: signed Telegram webhook → stored event →
 * worker → agent runtime → sendMessage, with the app in its own process(es) and this process as load generator, fake
 * Telegram Bot API and fake agent runtime.
 *
 * (a) N chats × 1 message at the same moment, a runtime answering after 2 s: seconds to the last reply, most runtime
 *     calls in flight, app RSS at that moment.
 * (b) echo runtime, 3,000 messages over 300 chats, sent as fast as the webhook takes them: replies/s, webhook→send
 *     p50/p99, order per chat.
 * (c) (a) and (b) again with ROLE=api + two ROLE=worker processes. Both topologies run side by side and every load runs
 *     BENCH_REPEATS (3) times on each, interleaved; the table shows the median run and every run's replies/s.
 * (d) BENCH_ONLY=stream: 100 chats at once answered by a streaming (SSE) `http` agent — first token to the platform
 *     (p50/p95 after the runtime's first token) and the spacing of each chat's edits (bench/pipeline-stream.ts).
 * Each topology is warmed up first: 4,500 echo messages and one unrecorded burst of the slow load (its row is printed
 * below the table). Each against a bare reference in the same run (bench/pipeline-reference.ts: no database, no queue).
 * Uses its own databases (switchboard_bench_pipeline_0 and _1, one per topology) and BullMQ prefixes; stops by itself.
 */
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { Pool, request } from 'undici';
import { FakeTelegramApi } from '../test/fakes/telegram.fake';
import { QueueName, redisOptionsFromUrl } from '../src/queue/queues';
import { BENCH_ADMIN, BENCH_SECRETS, freePort, httpReady, Proc, startProc, stopProcs } from './app-process';
import { machine, machineLoad, table } from './machine';
import { streamScenario, StreamingRuntime } from './pipeline-stream';

const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DB = 'switchboard_bench_pipeline';
const SLOW_MS = 2000;
const BIG = Number(process.env.BENCH_BIG_CHATS ?? 2000);
const build = join(__dirname, '..');
/** BENCH_ONLY=slow|echo|stream: one topology and one kind of load (for profiling with BENCH_NODE_ARGS=--cpu-prof). */
const ONLY = process.env.BENCH_ONLY;
/** Runs of each load per topology (interleaved); the table shows the median one and every run's replies/s. */
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

/** Worker processes are ready when `count` of them listen on the inbound queue. */
function workersReady(prefix: string, count: number): () => Promise<boolean> {
  return async () => {
    const queue = new Queue(QueueName.Inbound, { connection: redisOptionsFromUrl(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'), prefix });
    try {
      return (await queue.getWorkersCount()) >= count;
    } finally {
      await queue.close();
    }
  };
}

function rssMb(procs: Proc[]): number {
  let kb = 0;
  for (const p of procs) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.child.pid}/status`, 'utf8'));
      kb += m ? Number(m[1]) : 0;
    } catch {
      /* exited */
    }
  }
  return Math.round(kb / 1024);
}

/** CPU seconds (user + system) the processes have used so far, from /proc (clock ticks of 10 ms). */
function cpuSeconds(procs: Proc[]): number[] {
  return procs.map((p) => {
    try {
      const fields = readFileSync(`/proc/${p.child.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14 and 15 of stat)
    } catch {
      return 0; // exited
    }
  });
}

/** The fake agent runtime: `/slow` answers after 2 s; counts calls in flight. */
class Runtime {
  inFlight = 0;
  maxInFlight = 0;
  url = '';
  arrivals: number[] = [];
  private server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.inFlight++;
      this.arrivals.push(performance.now());
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const msgs = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: { content: string }[] }).messages;
      setTimeout(() => {
        this.inFlight--;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reply: msgs[msgs.length - 1].content }));
      }, SLOW_MS);
    });
  });
  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/slow`;
    return this;
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

interface Target {
  name: string;
  webhookUrl: (kind: 'slow' | 'echo') => string;
  secret: (kind: 'slow' | 'echo') => string;
  procs: Proc[];
}

interface Row {
  [k: string]: string | number;
}

let chatBase = 1_000_000;

/** Sends `perChat` messages to each of `chats` chats; `senders` requests in flight, each sender owning its chats. */
async function scenario(tg: FakeTelegramApi, rt: Runtime, target: Target, kind: 'slow' | 'echo', chats: number, perChat: number, senders: number): Promise<Row> {
  const first = chatBase;
  chatBase += chats + 10;
  const url = new URL(target.webhookUrl(kind));
  const pool = new Pool(url.origin, { connections: senders, pipelining: 1 });
  const posted = new Map<string, number>();
  rt.maxInFlight = 0;
  rt.arrivals = [];
  let peakRss = 0;
  const sampler = setInterval(() => {
    if (rt.inFlight >= rt.maxInFlight) peakRss = Math.max(peakRss, rssMb(target.procs));
  }, 100);
  const t0 = performance.now();
  const appCpu0 = cpuSeconds(target.procs);
  const benchCpu0 = process.cpuUsage();
  let update = first * 100;
  const sender = async (k: number): Promise<void> => {
    for (let n = 1; n <= perChat; n++) {
      for (let c = k; c < chats; c += senders) {
        const chatId = first + c;
        const text = `c${chatId}m${n}`;
        posted.set(text, performance.now());
        const res = await pool.request({
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': target.secret(kind) },
          body: JSON.stringify({ update_id: ++update, message: { message_id: update, date: 1700000000, from: { id: chatId, is_bot: false, first_name: 'L' }, chat: { id: chatId, type: 'private' }, text } }),
        });
        await res.body.dump();
        if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(senders, chats) }, (_, k) => sender(k)));
  const lastPost = performance.now();
  const total = chats * perChat;
  const replies = (): { chat: number; text: string; at: number }[] =>
    tg
      .callsTo('sendMessage')
      .map((c) => ({ chat: Number((c.body as { chat_id: unknown }).chat_id), text: String((c.body as { text: unknown }).text), at: c.at }))
      .filter((r) => r.chat >= first && r.chat < first + chats);
  const deadline = Date.now() + 180_000;
  while (replies().length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  clearInterval(sampler);
  const appCpus = cpuSeconds(target.procs).map((s, i) => s - appCpu0[i]);
  const appCpu = appCpus.reduce((a, b) => a + b, 0);
  const benchCpuUsage = process.cpuUsage(benchCpu0);
  const benchCpu = (benchCpuUsage.user + benchCpuUsage.system) / 1e6;
  await pool.close();
  const got = replies();
  // FakeHttpServer stamps calls with Date.now(); posts were stamped with performance.now(): convert
  const offset = Date.now() - performance.now();
  const lat = got.map((r) => r.at - offset - (posted.get(r.text) ?? Number.NaN)).filter(Number.isFinite).sort((a, b) => a - b);
  const pct = (p: number): number => Math.round(lat[Math.min(lat.length - 1, Math.floor((lat.length * p) / 100))] ?? Number.NaN);
  const last = Math.max(...got.map((r) => r.at - offset));
  const seconds = (last - t0) / 1000;
  const byChat = new Map<number, number[]>();
  for (const r of got) byChat.set(r.chat, [...(byChat.get(r.chat) ?? []), Number(/m(\d+)$/.exec(r.text)?.[1])]);
  const ordered = [...byChat.values()].every((ns) => ns.every((n, i) => n === i + 1));
  return {
    run: target.name,
    load: kind === 'slow' ? `${chats} chats × 1, runtime 2 s` : `${total} msgs / ${chats} chats, echo`,
    replies: `${got.length}/${total}`,
    's to last reply': seconds.toFixed(2),
    'replies/s': Math.round(got.length / seconds),
    'p50 ms': pct(50),
    'p99 ms': pct(99),
    'max in flight': kind === 'slow' ? rt.maxInFlight : '-',
    'agent calls from–to s': kind === 'slow' && rt.arrivals.length ? `${((rt.arrivals[0] - t0) / 1000).toFixed(2)}–${((rt.arrivals[rt.arrivals.length - 1] - t0) / 1000).toFixed(2)}` : '-',
    's to last post': ((lastPost - t0) / 1000).toFixed(2),
    'RSS MB': kind === 'slow' ? peakRss : rssMb(target.procs),
    'app / bench CPU s': `${appCpu.toFixed(1)}${appCpus.length > 1 ? ` (${appCpus.map((s) => s.toFixed(1)).join(' + ')})` : ''} / ${benchCpu.toFixed(1)}`,
    'in order': ordered ? 'yes' : 'NO',
  };
}

/** The run with the median replies/s, and every run's replies/s (in the order they ran). */
function median(runs: Row[]): Row {
  const mid = [...runs].sort((a, b) => Number(a['replies/s']) - Number(b['replies/s']))[Math.floor(runs.length / 2)];
  return { ...mid, 'runs, replies/s': runs.map((r) => r['replies/s']).join(' / ') };
}

async function main(): Promise<void> {
  const vm = machineLoad();
  const admin = new Client({ connectionString: `${BASE}/postgres` });
  await admin.connect();
  for (const i of [0, 1]) await admin.query(`DROP DATABASE IF EXISTS ${DB}_${i} WITH (FORCE)`);
  await admin.end();
  const tg = await new FakeTelegramApi().start();
  const rt = await new Runtime().start();
  const streamRt = ONLY === 'stream' ? await new StreamingRuntime().start() : undefined;
  const prefix = `sbbenchp${process.pid}`;
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn', // no line per request: the bench measures the pipeline, not writing logs to a pipe
    TELEGRAM_API_ROOT: tg.url,
    ...BENCH_SECRETS,
    ADMIN_EMAIL: BENCH_ADMIN.email,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    ENABLE_WEBHOOKS: 'false',
    CONNECTION_HEALTH_INTERVAL_S: '0',
    TELEGRAM_POLL_SCAN_MS: '0',
    ...(process.env.INBOUND_CONCURRENCY ? { INBOUND_CONCURRENCY: process.env.INBOUND_CONCURRENCY } : {}),
    ...(process.env.INBOUND_WORKING_DELAY_MS ? { INBOUND_WORKING_DELAY_MS: process.env.INBOUND_WORKING_DELAY_MS } : {}),
  };
  const main = join(build, 'src', 'main.js');
  const rows: Row[] = [];
  const warmups: Row[] = [];
  let bot = 0;

  const topologies: { name: string; start: (port: number, env: Record<string, string>, prefix: string) => Promise<Proc[]> }[] = [
    { name: 'switchboard, 1 process (ROLE=all)', start: async (port, env) => [await startProc(main, { ...env, PORT: String(port) }, httpReady(port))] },
    {
      name: 'switchboard, api + 2 workers',
      start: async (port, env, prefix) => {
        const api = await startProc(main, { ...env, ROLE: 'api', PORT: String(port) }, httpReady(port));
        const first = await startProc(main, { ...env, ROLE: 'worker', MIGRATIONS_RUN: 'false' }, workersReady(prefix, 1));
        const second = await startProc(main, { ...env, ROLE: 'worker', MIGRATIONS_RUN: 'false' }, workersReady(prefix, 2));
        return [api, first, second];
      },
    },
  ];
  // BENCH_TOPOLOGY=split: only ROLE=api + 2 workers; =both: both (the default without BENCH_ONLY, which otherwise runs
  // the first topology only)
  const topology = process.env.BENCH_TOPOLOGY ?? (ONLY ? 'one' : 'both');
  const chosen = topology === 'split' ? topologies.slice(1) : topology === 'both' ? topologies : topologies.slice(0, 1);
  // Every topology is started first, each with its own database and queue prefix, and the loads then run on them in
  // turn (one, split, split, one, one, split…): on a shared machine whose speed drifts over a minute, the medians of
  // interleaved runs compare the topologies, not the moments they happened to run at.
  const targets: Target[] = [];
  for (const [i, topo] of chosen.entries()) {
    const port = await freePort();
    const tEnv = { ...env, DATABASE_URL: `${BASE}/${DB}_${i}`, BULLMQ_PREFIX: `${prefix}t${i}` };
    const procs = await topo.start(port, tEnv, tEnv.BULLMQ_PREFIX);
    const origin = `http://127.0.0.1:${port}`;
    const api = async (path: string, body?: unknown, token?: string): Promise<Record<string, unknown>> => {
      const res = await request(`${origin}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return (await res.body.json()) as Record<string, unknown>;
    };
    const { accessToken } = (await api('/v1/auth/login', { email: BENCH_ADMIN.email, password: BENCH_ADMIN.password })) as { accessToken: string };
    const me = (await api('/v1/me', undefined, accessToken)) as { teams: { id: string }[] };
    const teamId = me.teams[0].id;
    const conns: Record<'slow' | 'echo', { id: string; secret: string }> = {} as never;
    for (const kind of ['slow', 'echo'] as const) {
      const token = `${700000 + ++bot}:AAbench${kind}${bot}xxxxxxxxxxxxxxxxxxxxxxxx`;
      tg.addBot(token, { id: 700000 + bot, username: `bench${bot}_bot`, first_name: 'Bench' });
      const agent = await api(`/v1/teams/${teamId}/agents`, { name: `${kind} ${bot}`, runtime: kind === 'slow' ? { type: 'http', url: rt.url } : { type: 'echo' } }, accessToken);
      const conn = await api(`/v1/teams/${teamId}/agents/${String(agent.id)}/connections`, { platform: 'telegram', credentials: { botToken: token } }, accessToken);
      conns[kind] = { id: String(conn.id), secret: String(tg.webhookOf(token)?.secret_token) };
    }
    const target: Target = { name: topo.name, webhookUrl: (k) => `${origin}/webhooks/telegram/${conns[k].id}`, secret: (k) => conns[k].secret, procs };
    targets.push(target);
    // warm-up: V8 optimizes the hot paths after some thousand calls (each worker of the split sees half of them);
    // until then each process also spends a core's worth of background threads compiling them (measured with perf
    // during a cold echo run, api + 2 workers: a third of the workers' CPU) — the runs below measure the pipeline, not
    // each process's JIT (with 1,500 warm-up messages instead of 4,500, both topologies ran 10–20 % slower)
    await scenario(tg, rt, target, 'echo', 100, 45, 50);
    // …and one unrecorded burst of the slow load: the `http` runtime's path (agent call, typing sign, 2,000 sockets)
    // is not the echo's, and V8 was still compiling it through the first recorded bursts (--trace-opt: ~300
    // optimizations in the first 2,000-chat burst, ~30 by the third, which was ~30 % faster). Its row is printed
    // below the table, so the cold number stays visible.
    if (!ONLY || ONLY === 'slow') warmups.push({ ...(await scenario(tg, rt, target, 'slow', BIG, 1, 256)), run: `${topo.name}: warm-up, not in the medians` });
    if (streamRt) {
      const token = `${700000 + ++bot}:AAbenchstream${bot}xxxxxxxxxxxxxxxxxxxxxxxx`;
      tg.addBot(token, { id: 700000 + bot, username: `bench${bot}_bot`, first_name: 'Bench' });
      const agent = await api(`/v1/teams/${teamId}/agents`, { name: `stream ${bot}`, runtime: { type: 'http', url: streamRt.url } }, accessToken);
      const conn = await api(`/v1/teams/${teamId}/agents/${String(agent.id)}/connections`, { platform: 'telegram', credentials: { botToken: token } }, accessToken);
      const streamTarget = { name: topo.name, webhookUrl: `${origin}/webhooks/telegram/${String(conn.id)}`, secret: String(tg.webhookOf(token)?.secret_token) };
      rows.push(await streamScenario(tg, streamRt, streamTarget, Number(process.env.BENCH_STREAM_CHATS ?? 100), chatBase));
      chatBase += 1000;
    }
  }
  const loads: { kind: 'slow' | 'echo'; chats: number; perChat: number; senders: number }[] = [
    ...(!ONLY || ONLY === 'slow' ? [{ kind: 'slow' as const, chats: 200, perChat: 1, senders: 200 }, { kind: 'slow' as const, chats: BIG, perChat: 1, senders: 256 }] : []),
    ...(!ONLY || ONLY === 'echo' ? [{ kind: 'echo' as const, chats: 300, perChat: 10, senders: 50 }] : []),
  ];
  for (const load of loads) {
    const runs: Row[][] = targets.map(() => []);
    for (let rep = 0; rep < REPEATS; rep++) {
      const order = rep % 2 ? [...targets.keys()].reverse() : [...targets.keys()];
      for (const t of order) runs[t].push(await scenario(tg, rt, targets[t], load.kind, load.chats, load.perChat, load.senders));
    }
    rows.push(...runs.map(median));
  }
  await stopProcs(targets.flatMap((t) => t.procs));

  // the bare reference, in its own process too
  if (ONLY) {
    if (ONLY === 'stream') console.log(`\nbench:pipeline (stream) on ${machine()}\n${vm.summary()}\naims: first token → platform p95 ≤ 300 ms; no chat called twice within 1 s\n`);
    else console.log(`\nbench:pipeline (${ONLY}) on ${machine()}\n${vm.summary()}\n`);
    console.log(table(rows));
    if (warmups.length) console.log(`\nfirst slow burst of each topology (warm-up, not in the medians):\n${table(warmups)}`);
    process.exit(0);
  }
  const refToken = `${799999}:AAbenchreferencexxxxxxxxxxxxxxxxxxxx`;
  tg.addBot(refToken, { id: 799999, username: 'benchref_bot', first_name: 'Ref' });
  const refs: Record<'slow' | 'echo', Proc> = {} as never;
  const refPorts = { slow: await freePort(), echo: await freePort() };
  for (const kind of ['slow', 'echo'] as const) {
    refs[kind] = await startProc(
      join(build, 'bench', 'pipeline-reference.js'),
      { PORT: String(refPorts[kind]), SECRET: 'ref-secret', TELEGRAM_URL: `${tg.url}/bot${refToken}/sendMessage`, RUNTIME_URL: kind === 'slow' ? rt.url : '' },
      /started/,
    );
  }
  const ref = (procs: Proc[]): Target => ({ name: 'bare reference', webhookUrl: (k) => `http://127.0.0.1:${refPorts[k]}/`, secret: () => 'ref-secret', procs });
  const repeat = async (run: () => Promise<Row>): Promise<Row> => {
    const runs: Row[] = [];
    for (let rep = 0; rep < REPEATS; rep++) runs.push(await run());
    return median(runs);
  };
  rows.push(await repeat(() => scenario(tg, rt, ref([refs.slow]), 'slow', 200, 1, 200)));
  rows.push(await repeat(() => scenario(tg, rt, ref([refs.slow]), 'slow', BIG, 1, 256)));
  rows.push(await repeat(() => scenario(tg, rt, ref([refs.echo]), 'echo', 300, 10, 50)));
  await stopProcs([refs.slow, refs.echo]);

  console.log(`\nbench:pipeline on ${machine()}\n${vm.summary()}\n`);
  console.log(table(rows));
  if (warmups.length) console.log(`\nfirst slow burst of each topology (warm-up, not in the medians):\n${table(warmups)}`);
  console.log('\naims: (a) last reply ≤ 3 s for 200 chats, ≤ 6 s for 2,000; (b) ≥ 500 replies/s, p99 < 2 s; (c) order kept, throughput not lower\n');
  // (c) in one line: the split topology's replies/s over one process's, per load (same run)
  const split = rows.filter((r) => String(r.run).includes('workers'));
  const ratios = split.map((r) => {
    const one = rows.find((o) => String(o.run).includes('1 process') && o.load === r.load);
    return one ? `${String(r.load)}: ${(Number(r['replies/s']) / Number(one['replies/s'])).toFixed(2)}×` : '';
  });
  if (ratios.some(Boolean)) console.log(`api + 2 workers / 1 process, replies/s: ${ratios.filter(Boolean).join('; ')}\n`);
  await rt.stop();
  await tg.stop();
  const cleanup = new Client({ connectionString: `${BASE}/postgres` });
  await cleanup.connect();
  for (const i of [0, 1]) await cleanup.query(`DROP DATABASE IF EXISTS ${DB}_${i} WITH (FORCE)`);
  await cleanup.end();
  const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

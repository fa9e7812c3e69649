/**
 * How to wake a dispatcher in another process when a publishing transaction commits (ADR 0005): 16 clients commit
 * small transactions (BEGIN, INSERT, COMMIT) as fast as they can while signalling a listener in one of four ways.
 * Reports commits/s (the cost to publishers) and commit→listener latency, median of BENCH_WAKEUP_ROUNDS interleaved rounds.
 */
import Redis from 'ioredis';
import { Client, Pool, PoolClient } from 'pg';

type Mode = 'none' | 'redis publish after commit' | 'pg_notify after commit' | 'NOTIFY inside the transaction';
const MODES: Mode[] = ['none', 'redis publish after commit', 'pg_notify after commit', 'NOTIFY inside the transaction'];
const now = (): number => performance.timeOrigin + performance.now();

/** One signal in flight at a time; signals meanwhile share one trailing signal (what DeliveryWakeup does). */
function coalesced(send: (since: number) => Promise<unknown>): () => void {
  let inFlight = false;
  let pendingSince = 0;
  const fire = (): void => {
    inFlight = true;
    const since = pendingSince;
    pendingSince = 0;
    void send(since).finally(() => {
      inFlight = false;
      if (pendingSince) fire();
    });
  };
  return () => {
    if (!pendingSince) pendingSince = now();
    if (!inFlight) fire();
  };
}

export interface WakeupRow {
  mechanism: Mode;
  'commits/s': number;
  'signals sent': number;
  'wake p50 ms': string;
  'wake p99 ms': string;
}

export async function measureWakeups(dbUrl: string, redisUrl: string, channel: string): Promise<WakeupRow[]> {
  const rounds = Number(process.env.BENCH_WAKEUP_ROUNDS ?? 3);
  const commits = Number(process.env.BENCH_WAKEUP_COMMITS ?? 4000);
  const pool = new Pool({ connectionString: dbUrl, max: 17 });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_wakeup (id bigserial PRIMARY KEY, v text)');
  const listener = new Client({ connectionString: dbUrl });
  await listener.connect();
  await listener.query(`LISTEN ${channel}`);
  const sub = new Redis(redisUrl);
  const pub = new Redis(redisUrl);
  await sub.subscribe(channel);
  let latencies: number[] = [];
  listener.on('notification', (m) => latencies.push(now() - Number(m.payload)));
  sub.on('message', (_c: string, m: string) => latencies.push(now() - Number(m)));
  const notifier: PoolClient = await pool.connect();
  const signal: Record<Mode, () => void> = {
    none: () => undefined,
    'redis publish after commit': coalesced((since) => pub.publish(channel, String(since))),
    'pg_notify after commit': coalesced((since) => notifier.query('SELECT pg_notify($1, $2)', [channel, String(since)])),
    'NOTIFY inside the transaction': () => undefined,
  };
  const results = new Map<Mode, { rate: number[]; sent: number[]; p50: number[]; p99: number[] }>();
  for (let round = 0; round < rounds; round++) {
    for (const mode of MODES) {
      latencies = [];
      let next = 0;
      const started = now();
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          const c = await pool.connect();
          try {
            while (next++ < commits) {
              await c.query('BEGIN');
              if (mode === 'NOTIFY inside the transaction') {
                await c.query(`WITH n AS (SELECT pg_notify($1, (extract(epoch FROM clock_timestamp()) * 1000)::text)) INSERT INTO bench_wakeup (v) SELECT 'x' FROM n`, [channel]);
              } else await c.query(`INSERT INTO bench_wakeup (v) VALUES ('x')`);
              await c.query('COMMIT');
              signal[mode]();
            }
          } finally {
            c.release();
          }
        }),
      );
      const seconds = (now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 200));
      const sorted = Float64Array.from(latencies).sort();
      const pct = (p: number): number => (sorted.length ? sorted[Math.floor(p * (sorted.length - 1))] : NaN);
      const r = results.get(mode) ?? { rate: [], sent: [], p50: [], p99: [] };
      r.rate.push(commits / seconds);
      r.sent.push(latencies.length);
      r.p50.push(pct(0.5));
      r.p99.push(pct(0.99));
      results.set(mode, r);
    }
  }
  notifier.release();
  await listener.end();
  sub.disconnect();
  pub.disconnect();
  await pool.query('DROP TABLE bench_wakeup');
  await pool.end();
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return MODES.map((mode) => {
    const r = results.get(mode) as { rate: number[]; sent: number[]; p50: number[]; p99: number[] };
    const ms = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(2));
    return { mechanism: mode, 'commits/s': Math.round(median(r.rate)), 'signals sent': Math.round(median(r.sent)), 'wake p50 ms': ms(median(r.p50)), 'wake p99 ms': ms(median(r.p99)) };
  });
}

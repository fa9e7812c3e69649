/**
 * The two bare references of bench:webhooks, each the consuming side in its own process (the bench produces):
 * - `bullmq`: one BullMQ job per delivery; the worker signs, POSTs with undici and INSERTs one attempt row.
 * - `pgbatch`: the limit — loops that claim up to BENCH_LIMIT_BATCH due rows with FOR UPDATE SKIP LOCKED (and a
 *   lease), sign and POST them all at once with undici, and record every result of the batch in one statement.
 * Neither has fairness, caps, rate limits, ordering, retries or a delivery log: that is what makes them references.
 */
import { Worker } from 'bullmq';
import { Pool } from 'pg';
import { Agent, request } from 'undici';
import { WebhookSigner } from '../../src/http/signing/webhook-signer';
import { redisOptionsFromUrl } from '../../src/queue/queues';
import { REFERENCE_QUEUE } from './reference-schema';

const mode = process.argv[2];
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 100);
const batch = Number(process.env.BENCH_LIMIT_BATCH ?? 250);
const loops = Number(process.env.BENCH_LIMIT_LOOPS ?? 2);
const signer = new WebhookSigner();
const secret = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
// the same per-origin connection cap as OutboundHttpClient
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 50 });
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

async function post(url: string, id: string, body: string): Promise<number> {
  const headers = signer.headers({ secrets: [secret], msgId: id, timestampSeconds: Math.floor(Date.now() / 1000), body, eventType: 'message.created' });
  const res = await request(url, { method: 'POST', body, headers, dispatcher });
  await res.body.dump();
  return res.statusCode;
}

function bullmq(): void {
  const connection = redisOptionsFromUrl(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const worker = new Worker<{ url: string; body: string; id: string }>(
    REFERENCE_QUEUE,
    async (job) => {
      const started = Date.now();
      const status = await post(job.data.url, job.data.id, job.data.body);
      await pool.query('INSERT INTO bench_attempt (delivery, status, duration_ms) VALUES ($1, $2, $3)', [job.id, status, Date.now() - started]);
    },
    { connection, prefix: process.env.BULLMQ_PREFIX, concurrency, removeOnComplete: { count: 1000 } },
  );
  worker.on('error', (e) => console.error(e));
}

const CLAIM = `
WITH c AS (
  SELECT id FROM bench_delivery WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
  ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
)
UPDATE bench_delivery d SET lease_until = now() + interval '30 seconds' FROM c WHERE d.id = c.id
RETURNING d.id, d.event_id, d.url, d.body`;
const RECORD = `
WITH r AS (SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[]) AS t(id, status, duration_ms)),
a AS (INSERT INTO bench_attempt (delivery, status, duration_ms) SELECT id::text, status, duration_ms FROM r)
UPDATE bench_delivery d SET status = CASE WHEN r.status < 300 THEN 'delivered' ELSE 'pending' END, attempts = d.attempts + 1,
  lease_until = NULL, delivered_at = now() FROM r WHERE d.id = r.id`;

async function pgLoop(): Promise<void> {
  for (;;) {
    const { rows } = await pool.query<{ id: string; event_id: string; url: string; body: string }>(CLAIM, [batch]);
    if (!rows.length) {
      await new Promise((r) => setTimeout(r, 2));
      continue;
    }
    const results = await Promise.all(
      rows.map(async (row) => {
        const started = Date.now();
        const status = await post(row.url, row.event_id, row.body).catch(() => 599);
        return { id: row.id, status, ms: Date.now() - started };
      }),
    );
    await pool.query(RECORD, [results.map((r) => r.id), results.map((r) => r.status), results.map((r) => r.ms)]);
  }
}

if (mode === 'bullmq') bullmq();
else if (mode === 'pgbatch') for (let i = 0; i < loops; i++) void pgLoop().catch((e: unknown) => (console.error(e), process.exit(1)));
else {
  console.error('usage: reference-worker.js bullmq|pgbatch');
  process.exit(2);
}
process.send?.({ ready: true });
process.on('disconnect', () => process.exit(0)); // the bench is gone: so are we
process.on('message', () => process.exit(0));

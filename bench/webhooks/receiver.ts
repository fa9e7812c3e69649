/**
 * The webhook receiver of bench:webhooks, in its own process: answers 204 at once (any path but `/dead`, which never
 * answers) and counts distinct (path, event id) receipts with their event→receipt latency. Two ports, so a dead
 * endpoint is another origin (its own connection pool), as it would be in life. Controlled over IPC by the bench.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

export type ReceiverCommand = { cmd: 'reset'; expected: number; path?: string } | { cmd: 'stats' } | { cmd: 'exit' };
export interface ReceiverStats {
  count: number;
  /** Receipts on URLs under the counted path prefix (all paths when none was given). */
  first: number;
  last: number;
  p50: number;
  p99: number;
  duplicates: number;
}

const now = (): number => performance.timeOrigin + performance.now();
let seen = new Set<string>();
let latencies: number[] = [];
let first = 0;
let last = 0;
let duplicates = 0;
let only: string | undefined;
let expected = Infinity;

/** Reads `"id":"…"` and `"bench_sent_at":<ms>` without parsing the whole body (the receiver must not be the bottleneck). */
function fields(body: string): { id: string; sentAt: number } {
  const i = body.indexOf('"id":"') + 6;
  const id = body.slice(i, body.indexOf('"', i));
  const j = body.indexOf('"bench_sent_at":') + 16;
  let k = j;
  while (k < body.length && /[0-9.]/.test(body[k])) k++;
  return { id, sentAt: Number(body.slice(j, k)) };
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/dead') return; // never answers: the sender's timeout ends it
    const at = now();
    res.writeHead(204).end();
    // only this run's URLs: a previous run's late receipts must not count (nor end this run early)
    if (only !== undefined && !(req.url ?? '').startsWith(only)) return;
    const { id, sentAt } = fields(Buffer.concat(chunks).toString('utf8'));
    const key = `${req.url}|${id}`;
    if (seen.has(key)) {
      duplicates++; // at least once: a duplicate is not a second delivery
      return;
    }
    seen.add(key);
    if (!first) first = at;
    last = at;
    latencies.push(at - sentAt);
    if (seen.size === expected) process.send?.({ done: true });
  });
}

function stats(): ReceiverStats {
  const sorted = Float64Array.from(latencies).sort();
  const pct = (p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
  return { count: seen.size, first, last, p50: pct(50), p99: pct(99), duplicates };
}

async function listen(): Promise<Server> {
  const server = createServer(handle);
  server.keepAliveTimeout = 60_000;
  server.requestTimeout = 0;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

async function main(): Promise<void> {
  const [live, dead] = await Promise.all([listen(), listen()]);
  process.on('message', (m: ReceiverCommand) => {
    if (m.cmd === 'reset') {
      seen = new Set();
      latencies = [];
      first = last = duplicates = 0;
      only = m.path;
      expected = m.expected;
    } else if (m.cmd === 'stats') process.send?.({ stats: stats() });
    else process.exit(0);
  });
  const port = (s: Server): number => (s.address() as { port: number }).port;
  process.send?.({ ready: true, port: port(live), deadPort: port(dead) });
  process.on('disconnect', () => process.exit(0)); // the bench is gone: so are we
}

void main();

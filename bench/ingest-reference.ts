/**
 * The bare reference of bench:ingest, in its own process: node:http + the same secret check + one INSERT … ON CONFLICT
 * + one RPUSH of the wake-up per update (what the app's ingest does for a worker elsewhere). Env: PORT, DATABASE_URL,
 * REDIS_URL, BULLMQ_PREFIX, SECRET, CONNECTION_ID.
 */
import { createServer } from 'node:http';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { constantTimeEqual } from '../src/crypto/secrets';
import { redisOptionsFromUrl } from '../src/queue/queues';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const secret = env('SECRET');
const connectionId = env('CONNECTION_ID');
const pool = new Pool({ connectionString: env('DATABASE_URL'), max: 20 });
const redis = new Redis(redisOptionsFromUrl(env('REDIS_URL')));
const wakeups = `${env('BULLMQ_PREFIX')}:inbound-reference:wakeups`;

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
        [connectionId, String(update.update_id), String(update.message.chat.id), update],
      );
      if (rows.rowCount) await redis.rpush(wakeups, JSON.stringify({ eventId: rows.rows[0].id, connectionId, orderingKey: String(update.message.chat.id) }));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    })().catch(() => res.writeHead(500).end());
  });
});
server.listen(Number(env('PORT')), '127.0.0.1', () => console.log('reference started'));
process.on('SIGTERM', () => {
  server.close();
  void Promise.all([redis.del(wakeups).then(() => redis.quit()), pool.end()]).finally(() => process.exit(0));
});

/**
 * The bare reference for bench:pipeline, run as its own process: a node:http server that checks the Telegram secret,
 * and per chat, strictly in order, calls the runtime (or echoes) and then sendMessage — with no database, no queue, no
 * retries, no formatting. What a gateway costs above this is what Switchboard's guarantees cost.
 *
 * Env: PORT, SECRET, TELEGRAM_URL (…/bot<token>/sendMessage), RUNTIME_URL (empty = echo).
 */
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const secret = process.env.SECRET ?? '';
const sendUrl = process.env.TELEGRAM_URL ?? '';
const runtimeUrl = process.env.RUNTIME_URL ?? '';
const dispatcher = new Agent({ connections: 4096 });
const chains = new Map<number, Promise<void>>();

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), dispatcher });
  return res.body.json();
}

async function answer(chatId: number, text: string): Promise<void> {
  const reply = runtimeUrl ? ((await post(runtimeUrl, { messages: [{ role: 'user', content: text }] })) as { reply: string }).reply : text;
  await post(sendUrl, { chat_id: chatId, text: reply });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.headers['x-telegram-bot-api-secret-token'] !== secret) {
      res.writeHead(401).end();
      return;
    }
    const update = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message: { chat: { id: number }; text: string } };
    const chatId = update.message.chat.id;
    const next = (chains.get(chatId) ?? Promise.resolve()).then(() => answer(chatId, update.message.text)).catch(() => undefined);
    chains.set(chatId, next);
    void next.then(() => {
      if (chains.get(chatId) === next) chains.delete(chatId);
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log('started'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

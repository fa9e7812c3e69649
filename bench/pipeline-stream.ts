/**
 * bench:pipeline's streamed-reply scenario (BENCH_ONLY=stream): N chats at once, each answered by an `http` agent that
 * streams server-sent events; measures how long after the runtime's first token the user's first message arrives at
 * the (fake) Telegram Bot API, and how often each chat is edited.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'undici';
import { FakeTelegramApi } from '../test/fakes/telegram.fake';

const PIECES = 20;
const PIECE_MS = 100;

/** An `http` agent answering `text/event-stream`: PIECES words PIECE_MS apart, then {"done":true}. */
export class StreamingRuntime {
  url = '';
  /** chat id → when the first token was written (Date.now()). */
  readonly firstToken = new Map<number, number>();
  private server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const msgs = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: { content: string }[] }).messages;
      const text = msgs[msgs.length - 1].content;
      const chat = Number(/^c(\d+)m/.exec(text)?.[1]);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const next = (): void => {
        if (res.destroyed) return;
        if (i === 0) this.firstToken.set(chat, Date.now());
        if (i < PIECES) {
          res.write(`data: ${JSON.stringify({ delta: `${i === 0 ? text : 'word'}${i} ` })}\n\n`);
          i++;
          setTimeout(next, PIECE_MS);
        } else {
          res.end(`data: {"done":true}\n\n`);
        }
      };
      setTimeout(next, 20);
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/stream`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const finalText = (chat: number): string => `c${chat}m1${Array.from({ length: PIECES }, (_, i) => `${i === 0 ? '' : 'word'}${i}`).join(' ')}`;

/** `chats` chats send one message each at the same moment; resolves with the table row once every reply is final. */
export async function streamScenario(
  tg: FakeTelegramApi,
  rt: StreamingRuntime,
  target: { name: string; webhookUrl: string; secret: string },
  chats: number,
  firstChat: number,
): Promise<Record<string, string | number>> {
  const url = new URL(target.webhookUrl);
  const pool = new Pool(url.origin, { connections: chats, pipelining: 1 });
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: chats }, async (_, k) => {
      const chatId = firstChat + k;
      const update = chatId * 10;
      const res = await pool.request({
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': target.secret },
        body: JSON.stringify({ update_id: update, message: { message_id: update, date: 1700000000, from: { id: chatId, is_bot: false, first_name: 'L' }, chat: { id: chatId, type: 'private' }, text: `c${chatId}m1` } }),
      });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}`);
    }),
  );
  await pool.close();
  const mine = (): { chat: number; method: string; at: number; html: boolean; text: string }[] =>
    tg.calls
      .filter((c) => /\/(sendMessage|editMessageText)$/.test(c.path))
      .map((c) => {
        const b = c.body as { chat_id: unknown; text: unknown; parse_mode?: unknown };
        return { chat: Number(b.chat_id), method: c.path.split('/').pop() as string, at: c.at, html: b.parse_mode === 'HTML', text: String(b.text) };
      })
      .filter((c) => c.chat >= firstChat && c.chat < firstChat + chats);
  const deadline = Date.now() + 120_000;
  const finished = (): number => new Set(mine().filter((c) => c.html && c.text === finalText(c.chat)).map((c) => c.chat)).size;
  while (finished() < chats && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const calls = mine();
  const byChat = new Map<number, typeof calls>();
  for (const c of calls) byChat.set(c.chat, [...(byChat.get(c.chat) ?? []), c]);
  const firstLag: number[] = [];
  const gaps: number[] = [];
  let edits = 0;
  for (const [chat, cs] of byChat) {
    const token = rt.firstToken.get(chat);
    if (token !== undefined) firstLag.push(cs[0].at - token);
    for (let i = 1; i < cs.length; i++) gaps.push(cs[i].at - cs[i - 1].at);
    edits += cs.filter((c) => c.method === 'editMessageText').length;
  }
  firstLag.sort((a, b) => a - b);
  const pct = (xs: number[], p: number): number => Math.round(xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? Number.NaN);
  const last = Math.max(...calls.map((c) => c.at));
  return {
    run: target.name,
    load: `${chats} chats × 1 streamed reply (${PIECES} tokens over ${(PIECES * PIECE_MS) / 1000} s)`,
    'final replies': `${finished()}/${chats}`,
    'first token → platform p50 ms': pct(firstLag, 50),
    'p95 ms': pct(firstLag, 95),
    'max ms': Math.round(firstLag.at(-1) ?? Number.NaN),
    'edits per chat': (edits / Math.max(1, byChat.size)).toFixed(1),
    'min gap between a chat\'s calls ms': gaps.length ? Math.min(...gaps) : '-',
    'chats with a gap < 1 s': [...byChat.values()].filter((cs) => cs.some((c, i) => i > 0 && c.at - cs[i - 1].at < 1000)).length,
    's to last final': ((last - t0) / 1000).toFixed(2),
  };
}

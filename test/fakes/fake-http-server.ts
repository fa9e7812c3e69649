import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** One request as the fake saw it. */
export interface RecordedCall {
  method: string;
  /** Pathname only, no query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /**
   * Parsed body: JSON value, form fields (Record<string, string>; JSON-encoded values such as Slack `blocks`
   * stay strings) or multipart fields (files become `{ filename, contentType, size }`). Unparseable JSON and
   * unknown content types keep the raw string; an empty body is `undefined`.
   */
  body: unknown;
  at: number;
  /** The client's port: requests on different connections (or from different processes) have different ones. */
  remotePort?: number;
}

export interface FakeResponse {
  status: number;
  /** Objects/arrays are sent as JSON, strings and Buffers as-is, `undefined` as an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * A body written piece by piece (e.g. server-sent events), each after its delay; `body` is then ignored. With `cut`
   * the connection is destroyed after the last piece instead of ending the response (a server dying mid-stream).
   */
  stream?: { pieces: { data: string; delayMs?: number; onSend?: () => void }[]; cut?: boolean };
}

export type CallMatcher = string | ((call: RecordedCall) => boolean);

export interface FakeHttpServerOptions {
  /** Artificial delay before every response, in ms. */
  delayMs?: number;
}

interface QueuedFailure {
  match: CallMatcher;
  response: FakeResponse;
  remaining: number;
}

interface Waiter {
  check: () => boolean;
  reject: (err: Error) => void;
}

/**
 * Base class of the loopback fakes: a real node:http server on 127.0.0.1:<random port> that records every
 * request, can be told to fail the next N matching requests, and delegates everything else to `handle()`.
 */
export abstract class FakeHttpServer {
  readonly calls: RecordedCall[] = [];
  delayMs: number;

  private server?: Server;
  private baseUrl?: string;
  private failures: QueuedFailure[] = [];
  private waiters = new Set<Waiter>();
  private stopping = new AbortController();

  constructor(options: FakeHttpServerOptions = {}) {
    this.delayMs = options.delayMs ?? 0;
  }

  /** Base URL without trailing slash, e.g. `http://127.0.0.1:43121`. */
  get url(): string {
    if (!this.baseUrl) throw new Error(`${this.constructor.name} is not started`);
    return this.baseUrl;
  }

  async start(): Promise<this> {
    if (this.server) return this;
    this.stopping = new AbortController();
    const server = createServer((req, res) => void this.onRequest(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.baseUrl = undefined;
    this.stopping.abort();
    for (const waiter of this.waiters) waiter.reject(new Error(`${this.constructor.name} stopped while waiting for calls`));
    this.waiters.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Forget recorded calls and queued failures (registered bots/tokens/repos stay). */
  reset(): void {
    this.calls.length = 0;
    this.failures = [];
  }

  /** The next `times` requests matching `match` get `response` instead of normal handling (still recorded). */
  failNext(match: CallMatcher, response: FakeResponse, times = 1): this {
    this.failures.push({ match, response, remaining: times });
    return this;
  }

  callsTo(name: string): RecordedCall[] {
    return this.calls.filter((call) => this.nameOf(call) === name);
  }

  lastCall(name: string): RecordedCall | undefined {
    return this.callsTo(name).at(-1);
  }

  /** Resolves with all calls named `name` once at least `count` of them were recorded. */
  waitForCalls(name: string, count = 1, timeoutMs = 10_000): Promise<RecordedCall[]> {
    const already = this.callsTo(name);
    if (already.length >= count) return Promise.resolve(already);
    return new Promise<RecordedCall[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        const got = this.callsTo(name).length;
        waiter.reject(
          new Error(
            `${this.constructor.name}: timed out after ${timeoutMs} ms waiting for ${count} call(s) to "${name}" ` +
              `(got ${got}). Calls received: ${this.describeCalls()}`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        check: () => {
          const matching = this.callsTo(name);
          if (matching.length < count) return false;
          this.waiters.delete(waiter);
          clearTimeout(timer);
          resolve(matching);
          return true;
        },
        reject: (err) => {
          this.waiters.delete(waiter);
          clearTimeout(timer);
          reject(err);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Human-readable summary of what was called, for assertion messages. */
  describeCalls(): string {
    if (this.calls.length === 0) return '(none)';
    const counts = new Map<string, number>();
    for (const call of this.calls) {
      const key = `${this.nameOf(call)} [${call.method} ${call.path}]`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].map(([key, n]) => (n > 1 ? `${key} x${n}` : key)).join(', ');
  }

  protected abstract handle(call: RecordedCall): Promise<FakeResponse> | FakeResponse;
  protected abstract nameOf(call: RecordedCall): string;

  /** How a string given to `failNext` matches a call; subclasses may widen it (e.g. path substring). */
  protected matchesName(call: RecordedCall, name: string): boolean {
    return this.nameOf(call) === name;
  }

  /** True once `stop()` was called; long-running handlers should give up. */
  protected get isStopping(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Sleeps `ms`, returning early when the server stops. */
  protected sleep(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    if (ms <= 0 || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: FakeResponse;
    try {
      const call = await recordRequest(req);
      this.calls.push(call);
      for (const waiter of [...this.waiters]) waiter.check();
      const failure = this.takeFailure(call);
      if (this.delayMs > 0) await this.sleep(this.delayMs);
      response = failure ?? (await this.handle(call));
    } catch (err) {
      response = { status: 500, body: { error: err instanceof Error ? err.message : String(err) } };
    }
    if (response.stream) await this.sendStream(res, response, response.stream);
    else send(res, response);
  }

  private async sendStream(res: ServerResponse, response: FakeResponse, stream: NonNullable<FakeResponse['stream']>): Promise<void> {
    res.writeHead(response.status, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...response.headers });
    res.flushHeaders();
    for (const piece of stream.pieces) {
      if (piece.delayMs) await this.sleep(piece.delayMs);
      if (res.destroyed || this.isStopping) return;
      piece.onSend?.();
      res.write(piece.data);
    }
    if (stream.cut) res.destroy();
    else res.end();
  }

  private takeFailure(call: RecordedCall): FakeResponse | undefined {
    const index = this.failures.findIndex((f) =>
      typeof f.match === 'string' ? this.matchesName(call, f.match) : f.match(call),
    );
    if (index < 0) return undefined;
    const failure = this.failures[index];
    failure.remaining -= 1;
    if (failure.remaining <= 0) this.failures.splice(index, 1);
    return failure.response;
  }
}

async function recordRequest(req: IncomingMessage): Promise<RecordedCall> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://fake.invalid');
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    rawBody,
    body: parseBody(rawBody, req.headers['content-type']),
    at: Date.now(),
    remotePort: req.socket.remotePort,
  };
}

export function parseBody(rawBody: string, contentType: string | undefined): unknown {
  if (rawBody === '') return undefined;
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(rawBody));
  if (type.includes('multipart/form-data')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
    return boundary ? parseMultipart(rawBody, boundary) : rawBody;
  }
  if (type.includes('json') || type === '') {
    try {
      return JSON.parse(rawBody) as unknown;
    } catch {
      return rawBody;
    }
  }
  return rawBody;
}

/** Minimal multipart/form-data parser: text fields as strings, files as metadata. */
function parseMultipart(rawBody: string, boundary: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const part of rawBody.split(`--${boundary}`)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const head = part.slice(0, headerEnd);
    const content = part.slice(headerEnd + 4).replace(/\r\n$/, '');
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) continue;
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    const partType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
    fields[name] =
      filename === undefined ? content : { filename, contentType: partType, size: Buffer.byteLength(content) };
  }
  return fields;
}

function send(res: ServerResponse, response: FakeResponse): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = { ...response.headers };
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  let payload: string | Buffer = '';
  if (Buffer.isBuffer(response.body) || typeof response.body === 'string') {
    payload = response.body;
    if (!hasType) headers['content-type'] = 'text/plain; charset=utf-8';
  } else if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    if (!hasType) headers['content-type'] = 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** Small narrowing helpers shared by the fakes. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** Reads a parameter that may be a string (form/query) or an already-typed JSON value. */
export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** Values sent JSON-encoded inside form fields (Slack blocks, Telegram allowed_updates) or as real JSON. */
export function asJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

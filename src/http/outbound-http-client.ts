import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { Agent, Dispatcher, buildConnector } from 'undici';
import { HostLookup, parseHttpUrl, resolveHost } from './ssrf/address-policy';

/** Outbound HTTP for webhook deliveries: SSRF-checked at connect time, keep-alive, bounded reads. */

export interface HttpSenderOptions {
  /** Allow loopback/private/reserved targets (local development and tests only). */
  allowPrivateNetworks: boolean;
  /** Host resolver; defaults to dns.promises.lookup. */
  lookup?: HostLookup;
  /** Keep-alive connections per origin. Default 50. */
  connectionsPerOrigin?: number;
  /** TCP/TLS connect timeout. Default 10 s (the per-request timeout still applies). */
  connectTimeoutMs?: number;
}

/** Injection token for HttpSenderOptions; without a provider the sender blocks private networks. */
export const HTTP_SENDER_OPTIONS = Symbol('HTTP_SENDER_OPTIONS');

export interface HttpRequest {
  url: string;
  method?: 'POST';
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** How much of the response body to keep (default 4 KB, the delivery log's limit). */
  maxResponseBytes?: number;
}

export type HttpErrorCode = 'TIMEOUT' | 'DNS' | 'CONNREFUSED' | 'TLS' | 'SSRF_BLOCKED' | 'NETWORK';

export type HttpResult =
  | { ok: true; status: number; headers: Record<string, string>; body: string; durationMs: number }
  | { ok: false; errorCode: HttpErrorCode; message: string; durationMs: number };

export const MAX_RESPONSE_BODY_BYTES = 4096;
/** Bytes read and discarded after the kept prefix so the socket can be reused; beyond this it is closed. */
const MAX_DRAIN_BYTES = 256 * 1024;

@Injectable()
export class HttpSender implements OnModuleDestroy {
  private readonly agent: Agent;

  constructor(@Optional() @Inject(HTTP_SENDER_OPTIONS) options: HttpSenderOptions = { allowPrivateNetworks: false }) {
    const { allowPrivateNetworks, lookup, connectionsPerOrigin = 50, connectTimeoutMs = 10_000 } = options;
    const baseConnect = buildConnector({ timeout: connectTimeoutMs });

    // Resolve the host ourselves and check the exact address we connect to, so a DNS answer
    // that changes between validation and connection (rebinding) cannot reach a private address.
    const connect: buildConnector.connector = (opts, callback) => {
      resolveHost(opts.hostname, { allowPrivate: allowPrivateNetworks, lookup }).then(
        ([address]) => {
          const servername = opts.servername || (isIP(opts.hostname) ? undefined : opts.hostname);
          baseConnect({ ...opts, hostname: address, servername }, callback);
        },
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
      );
    };

    this.agent = new Agent({ connect, connections: connectionsPerOrigin, pipelining: 1 });
  }

  async send(req: HttpRequest): Promise<HttpResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);

    let url: URL;
    try {
      url = parseHttpUrl(req.url);
    } catch (err) {
      return { ok: false, errorCode: 'NETWORK', message: messageOf(err), durationMs: elapsed() };
    }

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, req.timeoutMs);

    try {
      const res = await this.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method ?? 'POST',
        headers: req.headers,
        body: req.body,
        signal: controller.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const body = await readLimited(res.body, req.maxResponseBytes ?? MAX_RESPONSE_BODY_BYTES);
      // undici returns the connection to its pool a few microtasks after the body ends; yielding
      // one turn lets a back-to-back send() reuse it instead of opening a second socket.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return { ok: true, status: res.statusCode, headers: flattenHeaders(res.headers), body, durationMs: elapsed() };
    } catch (err) {
      const errorCode = timedOut ? 'TIMEOUT' : classifyNetworkError(err);
      const message = timedOut ? `request timed out after ${req.timeoutMs} ms` : messageOf(err);
      return { ok: false, errorCode, message, durationMs: elapsed() };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }
}

/** Keeps the first `limit` bytes (cut on a UTF-8 character boundary); drains a bounded remainder. */
async function readLimited(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const decoder = new StringDecoder('utf8');
  let text = '';
  let kept = 0;
  let seen = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    seen += bytes.length;
    if (kept < limit) {
      const part = bytes.subarray(0, limit - kept);
      text += decoder.write(part); // an incomplete trailing character is held back, never emitted
      kept += part.length;
    }
    if (seen > limit + MAX_DRAIN_BYTES) {
      body.destroy(); // too much to drain: give up this socket rather than read on
      break;
    }
  }
  return text;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'ABORT_ERR',
]);
const TLS_CODES = new Set([
  'EPROTO',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

/** Maps a request error (or anything in its cause chain) to an HttpErrorCode. */
export function classifyNetworkError(err: unknown): HttpErrorCode {
  for (let e: unknown = err, depth = 0; isObject(e) && depth < 5; e = e.cause, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    const name = typeof e.name === 'string' ? e.name : '';
    if (code === 'SSRF_BLOCKED') return 'SSRF_BLOCKED';
    if (code === 'DNS' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA') return 'DNS';
    if (code === 'ECONNREFUSED') return 'CONNREFUSED';
    if (TIMEOUT_CODES.has(code) || name === 'AbortError' || name === 'TimeoutError') return 'TIMEOUT';
    if (TLS_CODES.has(code) || /^(ERR_TLS|ERR_SSL|CERT_)/.test(code)) return 'TLS';
  }
  return 'NETWORK';
}

/** Parses Retry-After (delta-seconds or HTTP-date) into seconds from `now`. */
export function parseRetryAfter(header: string | undefined, now: Date): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) {
    const seconds = Number(value);
    return Number.isSafeInteger(seconds) ? seconds : undefined;
  }
  if (!/[A-Za-z]/.test(value)) return undefined; // an HTTP-date always names a day/month
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

function isObject(value: unknown): value is { code?: unknown; name?: unknown; cause?: unknown } {
  return typeof value === 'object' && value !== null;
}

function messageOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

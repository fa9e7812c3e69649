import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { Agent, Dispatcher, buildConnector } from 'undici';
import { OutboundErrorCode, classifyNetworkError, systemCodeOf } from './network-errors';
import { DnsLookupError, HostLookup, InvalidUrlError, SsrfBlockedError, assertPublicUrl, parseHttpUrl, resolveHost } from './ssrf/address-policy';

/**
 * The one HTTP client for URLs a team supplies (webhook endpoints, `http`/`openai` runtimes, Slack `response_url`,
 * anything added later): keep-alive pools, the SSRF address check at connect time, a whole-request timeout, no
 * redirects, bounded response reads, and errors that never carry a raw network message. Platform API clients whose
 * base URL comes from our configuration use their own libraries.
 *
 * `stream()` is `request()` with the body handed over as it arrives (server-sent events from agent runtimes): same
 * pool, connect-time check, whole-exchange timeout and byte bound.
 */

export interface OutboundHttpOptions {
  /** Allow loopback/private/reserved targets (WEBHOOK_ALLOW_PRIVATE_NETWORKS: development and tests only). */
  allowPrivateNetworks: boolean;
  /** Host resolver; defaults to dns.promises.lookup. Tests inject one to play DNS (e.g. rebinding). */
  lookup?: HostLookup;
  /** Keep-alive connections per origin. Default 50. */
  connectionsPerOrigin?: number;
  /** TCP/TLS connect timeout. Default 10 s (the per-request timeout still applies). */
  connectTimeoutMs?: number;
}

/** Injection token for OutboundHttpOptions; without a provider the client blocks private networks. */
export const OUTBOUND_HTTP_OPTIONS = Symbol('OUTBOUND_HTTP_OPTIONS');

export interface OutboundRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A Buffer for binary bodies (multipart uploads, e.g. audio to a transcription API). */
  body?: string | Buffer;
  /** The whole request: connect, headers and body. */
  timeoutMs: number;
  /** How much of the response body to keep (default 4 KB, the delivery log's limit); beyond it `truncated` is set. */
  maxResponseBytes?: number;
  /** stream(): how much a body handed to a consumer may bring (default maxResponseBytes). */
  maxStreamedBytes?: number;
}

export type OutboundResult =
  | { ok: true; status: number; headers: Record<string, string>; body: string; truncated: boolean; durationMs: number }
  | { ok: false; errorCode: OutboundErrorCode; message: string; durationMs: number };

/** Why a URL may not be used (create/update-time check); `detail` has no subject: prefix the field name. */
export interface OutboundUrlProblem {
  code: 'INVALID_URL' | 'SSRF_BLOCKED' | 'DNS';
  detail: string;
}

/** Takes a streamed body's text as it arrives (see OutboundHttpClient.stream). Must not throw. */
export type BodyConsumer = (text: string) => void;

export const MAX_RESPONSE_BODY_BYTES = 4096;
/** Bytes read and discarded after the kept prefix so the socket can be reused; beyond this it is closed. */
const MAX_DRAIN_BYTES = 256 * 1024;

@Injectable()
export class OutboundHttpClient implements OnModuleDestroy {
  private readonly agent: Agent;
  private readonly allowPrivate: boolean;
  private readonly lookup?: HostLookup;

  constructor(@Optional() @Inject(OUTBOUND_HTTP_OPTIONS) options: OutboundHttpOptions = { allowPrivateNetworks: false }) {
    const { allowPrivateNetworks, lookup, connectionsPerOrigin = 50, connectTimeoutMs = 10_000 } = options;
    this.allowPrivate = allowPrivateNetworks;
    this.lookup = lookup;
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

  /** Create/update-time check of a team-supplied URL: scheme, no userinfo, and (unless allowed) no private address. */
  async checkUrl(url: string): Promise<OutboundUrlProblem | undefined> {
    try {
      await assertPublicUrl(url, { allowPrivate: this.allowPrivate, lookup: this.lookup });
      return undefined;
    } catch (e) {
      if (e instanceof InvalidUrlError || e instanceof SsrfBlockedError || e instanceof DnsLookupError) return { code: e.code, detail: e.detail };
      throw e;
    }
  }

  /** Never throws: a response of any status is `ok: true`; no response is `ok: false` with a code. */
  request(req: OutboundRequest): Promise<OutboundResult> {
    return this.exchange(req);
  }

  /**
   * Like request(), but `onHead` sees the status and headers first and may return a consumer: the body then goes to
   * it as decoded UTF-8 text while it arrives (the result's `body` stays empty). Past `maxStreamedBytes` the socket is
   * closed and `truncated` set; `timeoutMs` still bounds the whole exchange. A body cut short (reset, timeout) is
   * `ok: false` even though the consumer already saw part of it. Without a consumer the body is read as request() does.
   */
  stream(req: OutboundRequest, onHead: (head: { status: number; headers: Record<string, string> }) => BodyConsumer | undefined): Promise<OutboundResult> {
    return this.exchange(req, onHead);
  }

  private async exchange(req: OutboundRequest, onHead?: (head: { status: number; headers: Record<string, string> }) => BodyConsumer | undefined): Promise<OutboundResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);

    let url: URL;
    try {
      url = parseHttpUrl(req.url);
    } catch (err) {
      return { ok: false, errorCode: 'INVALID_URL', message: safeMessage('INVALID_URL', err), durationMs: elapsed() };
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
        headers: req.headers ?? {},
        body: req.body,
        signal: controller.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const headers = flattenHeaders(res.headers);
      const consumer = onHead?.({ status: res.statusCode, headers });
      const limit = req.maxResponseBytes ?? MAX_RESPONSE_BODY_BYTES;
      const { text, truncated } = consumer ? await readStreamed(res.body, req.maxStreamedBytes ?? limit, consumer) : await readLimited(res.body, limit);
      // undici returns the connection to its pool a few microtasks after the body ends; yielding
      // one turn lets a back-to-back request() reuse it instead of opening a second socket.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return { ok: true, status: res.statusCode, headers, body: text, truncated, durationMs: elapsed() };
    } catch (err) {
      if (timedOut) return { ok: false, errorCode: 'TIMEOUT', message: `request timed out after ${req.timeoutMs} ms`, durationMs: elapsed() };
      const errorCode = classifyNetworkError(err);
      return { ok: false, errorCode, message: safeMessage(errorCode, err), durationMs: elapsed() };
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

/**
 * A fixed text per code: our own policy errors say what they are; anything from the network says only its code
 * (no addresses, ports or peer text).
 */
function safeMessage(code: OutboundErrorCode, err: unknown): string {
  const own = findOwnError(err);
  if (own && own.code === code) return own.message;
  const sys = systemCodeOf(err);
  switch (code) {
    case 'TIMEOUT':
      return 'request timed out';
    case 'DNS':
      return 'host could not be resolved';
    case 'CONNREFUSED':
      return 'connection refused';
    case 'TLS':
      return sys ? `TLS error (${sys})` : 'TLS error';
    default:
      return sys ? `network error (${sys})` : 'network error';
  }
}

function findOwnError(err: unknown): InvalidUrlError | SsrfBlockedError | DnsLookupError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof InvalidUrlError || e instanceof SsrfBlockedError || e instanceof DnsLookupError) return e;
  }
  return undefined;
}

/** Keeps the first `limit` bytes (cut on a UTF-8 character boundary); drains a bounded remainder. */
async function readLimited(body: Dispatcher.ResponseData['body'], limit: number): Promise<{ text: string; truncated: boolean }> {
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
  return { text, truncated: seen > limit };
}

/** Hands each piece of text to `consume` (never splitting a UTF-8 character); stops reading past `limit` bytes. */
async function readStreamed(body: Dispatcher.ResponseData['body'], limit: number, consume: BodyConsumer): Promise<{ text: string; truncated: boolean }> {
  const decoder = new StringDecoder('utf8');
  let seen = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    const room = limit - seen;
    seen += bytes.length;
    const text = decoder.write(room < bytes.length ? bytes.subarray(0, Math.max(0, room)) : bytes);
    if (text) consume(text);
    if (seen > limit) {
      body.destroy(); // a stream may go on forever: never read past the bound
      return { text: '', truncated: true };
    }
  }
  const rest = decoder.end();
  if (rest) consume(rest);
  return { text: '', truncated: false };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

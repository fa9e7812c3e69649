import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Agent } from 'undici';
import { OutboundErrorCode, classifyNetworkError } from './network-errors';

export type FileFetchResult =
  | { ok: true; status: number; contentType: string | undefined; data: Buffer }
  /** The body went past `maxBytes`: reading stopped there and nothing was kept. */
  | { ok: false; tooLarge: true }
  | { ok: false; tooLarge?: false; errorCode: OutboundErrorCode };

/**
 * Downloads a file from a platform's own file host (Telegram `…/file/bot<token>/<path>` under TELEGRAM_API_ROOT,
 * Slack `url_private` on SLACK_FILES_URL): URLs that come from our configuration, not from a team, so no SSRF policy
 * (a local Bot API server may live on a private address) — the callers check the origin before they pass a token.
 * What it does guarantee: no redirects followed (a token never travels on), a whole-request timeout, and a bounded
 * read — a body larger than `maxBytes` is abandoned, never buffered. Errors carry only a code (URLs hold tokens).
 */
@Injectable()
export class PlatformFileFetcher implements OnModuleDestroy {
  private readonly agent = new Agent({ connections: 20, pipelining: 1 });

  async get(url: string, opts: { headers?: Record<string, string>; maxBytes: number; timeoutMs: number }): Promise<FileFetchResult> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, opts.timeoutMs);
    try {
      const u = new URL(url);
      const res = await this.agent.request({
        origin: u.origin,
        path: `${u.pathname}${u.search}`,
        method: 'GET',
        headers: opts.headers ?? {},
        signal: controller.signal,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
      res.body.on('error', () => undefined); // abandoning an oversized body aborts it: nothing to report
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        res.body.destroy();
        return { ok: false, tooLarge: true };
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        size += bytes.length;
        if (size > opts.maxBytes) {
          res.body.destroy();
          return { ok: false, tooLarge: true };
        }
        chunks.push(bytes);
      }
      const type = res.headers['content-type'];
      return { ok: true, status: res.statusCode, contentType: Array.isArray(type) ? type[0] : type, data: Buffer.concat(chunks, size) };
    } catch (err) {
      if (timedOut) return { ok: false, errorCode: 'TIMEOUT' };
      if ((err as { code?: string }).code === 'ERR_INVALID_URL') return { ok: false, errorCode: 'INVALID_URL' };
      return { ok: false, errorCode: classifyNetworkError(err) };
    } finally {
      clearTimeout(timer);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }
}

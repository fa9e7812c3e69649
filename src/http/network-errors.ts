/** What went wrong when a request got no HTTP response. */
export type OutboundErrorCode = 'TIMEOUT' | 'DNS' | 'CONNREFUSED' | 'TLS' | 'SSRF_BLOCKED' | 'INVALID_URL' | 'NETWORK';

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'ABORT_ERR']);
const TLS_CODES = new Set([
  'EPROTO',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

/** Maps a request error (or anything in its cause chain) to an OutboundErrorCode. */
export function classifyNetworkError(err: unknown): OutboundErrorCode {
  for (let e: unknown = err, depth = 0; isObject(e) && depth < 5; e = e.cause, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    const name = typeof e.name === 'string' ? e.name : '';
    if (code === 'SSRF_BLOCKED') return 'SSRF_BLOCKED';
    if (code === 'INVALID_URL') return 'INVALID_URL';
    if (code === 'DNS' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA') return 'DNS';
    if (code === 'ECONNREFUSED') return 'CONNREFUSED';
    if (TIMEOUT_CODES.has(code) || name === 'AbortError' || name === 'TimeoutError') return 'TIMEOUT';
    if (TLS_CODES.has(code) || /^(ERR_TLS|ERR_SSL|CERT_)/.test(code)) return 'TLS';
  }
  return 'NETWORK';
}

/** The first string `code` in the cause chain that looks like a system/library error code (for messages). */
export function systemCodeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; isObject(e) && depth < 5; e = e.cause, depth++) {
    if (typeof e.code === 'string' && /^[A-Z][A-Z0-9_]{1,60}$/.test(e.code)) return e.code;
  }
  return undefined;
}

function isObject(value: unknown): value is { code?: unknown; name?: unknown; cause?: unknown } {
  return typeof value === 'object' && value !== null;
}

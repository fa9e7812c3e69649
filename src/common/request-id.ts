import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A request's id: the one already given to it (src/common/body-parsers.ts sets it before the body is read, so
 * body-parser errors carry it too), else the client's well-formed X-Request-Id, else a new UUID. The logs (pino-http
 * keeps an existing `req.id`), the X-Request-Id response header and every error body use the same id.
 */
export function requestIdOf(req: IncomingMessage & { id?: unknown }): string {
  if (typeof req.id === 'string' && req.id) return req.id;
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

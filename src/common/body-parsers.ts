import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, urlencoded } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed } from './errors';
import { depthProblem, exceedsDepth, nulPaths, nulProblem } from './input-rules';
import { requestIdOf } from './request-id';

const MB = 1024 * 1024;

/** How the bodies of one group of routes are read. The first rule whose prefix starts the path applies. */
export interface BodyRoute {
  prefix: string;
  /** Largest body accepted, in bytes, checked before anything is parsed (413 above it). */
  limitBytes: number;
  /** Also parse application/x-www-form-urlencoded (flat fields); JSON is always parsed. */
  form: boolean;
  /**
   * Signed platform deliveries: a NUL in a string is accepted (the stored event has it escaped) instead of refused,
   * because the platform would resend a refused delivery forever.
   */
  acceptsNul: boolean;
}

/** The common rules; a platform whose webhooks send more comes first (its `maxBodyBytes`, src/integrations/index.ts). */
export const BODY_ROUTES: readonly BodyRoute[] = [
  // platform webhooks: JSON events, or forms (slash commands, interactivity, form-encoded payloads)
  { prefix: '/webhooks/', limitBytes: 1 * MB, form: true, acceptsNul: true },
  // the admin API and everything else: JSON only
  { prefix: '/', limitBytes: 1 * MB, form: false, acceptsNul: false },
];

export type RawBodyRequest = IncomingMessage & { rawBody?: Buffer; id?: unknown };

interface Parsers {
  route: BodyRoute;
  json: RequestHandler;
  form?: RequestHandler;
}

/** Keeps the exact bytes received: signatures are verified over them, never over re-serialized JSON. */
const keepRawBody = (req: RawBodyRequest, _res: ServerResponse, buf: Buffer): void => {
  req.rawBody = buf;
};

const limitLabel = (bytes: number): string => (bytes % MB === 0 ? `${bytes / MB} MB` : `${bytes} bytes`);

/**
 * Installs, in this order: the request id (so every error carries it), the body parsers of BODY_ROUTES (raw bytes
 * kept, compressed bodies refused), the input rules (nesting depth everywhere; no NUL on the admin API, in the body,
 * the query string or the path), and the mapping of body-parser errors to our error codes.
 */
export function installBodyParsers(app: NestExpressApplication, routes: readonly BodyRoute[] = BODY_ROUTES): void {
  const parsers: Parsers[] = routes.map((route) => {
    const common = { limit: route.limitBytes, verify: keepRawBody, inflate: false };
    return { route, json: json(common), form: route.form ? urlencoded({ ...common, extended: false, parameterLimit: 1000 }) : undefined };
  });
  const parsersOf = (req: Request): Parsers => {
    const path = req.path.toLowerCase(); // Express routes case-insensitively; so do we
    return parsers.find((p) => path.startsWith(p.route.prefix)) ?? parsers[parsers.length - 1];
  };

  app.use((req: Request, res: Response, next: NextFunction) => {
    const id = requestIdOf(req as RawBodyRequest);
    (req as RawBodyRequest).id = id;
    res.setHeader('X-Request-Id', id);
    next();
  });
  // Named like body-parser's own middleware: Nest then adds none of its default parsers (it skips names it finds).
  app.use(function jsonParser(req: Request, res: Response, next: NextFunction) {
    parsersOf(req).json(req, res, next);
  });
  app.use(function urlencodedParser(req: Request, res: Response, next: NextFunction) {
    const form = parsersOf(req).form;
    if (form) return form(req, res, next);
    // a JSON-only route: a form (or any other type) would silently arrive as an empty body
    const type = req.headers['content-type'];
    if (type && !req.is('application/json') && hasContent(req)) {
      return next(new UnsupportedMediaType(`Content-Type ${JSON.stringify(type.slice(0, 80))} is not accepted here; send application/json`));
    }
    next();
  });
  app.use((req: Request, _res: Response, next: NextFunction) => next(inputProblem(req, parsersOf(req).route)));
  app.use((err: unknown, req: Request, _res: Response, next: NextFunction) => next(bodyParserError(err, parsersOf(req).route)));
}

const hasContent = (req: Request): boolean => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

function inputProblem(req: Request, route: BodyRoute): DomainError | undefined {
  if (/%00/i.test(req.path)) {
    const message = 'the URL path must not contain NUL characters';
    return new ValidationFailed(message, [{ field: 'path', messages: [message] }]);
  }
  const query = nulPaths(req.query, 'query');
  if (query.length) return nulProblem(query);
  if (exceedsDepth(req.body)) return depthProblem('body');
  if (!route.acceptsNul) {
    const body = nulPaths(req.body, 'body');
    if (body.length) return nulProblem(body);
  }
  return undefined;
}

/** body-parser's errors in our words and codes (its own messages are not meant for API clients). */
function bodyParserError(err: unknown, route: BodyRoute): unknown {
  const e = err as { type?: unknown; charset?: unknown; encoding?: unknown } | null;
  const quoted = (v: unknown): string => JSON.stringify(String(v).slice(0, 40));
  switch (e?.type) {
    case 'entity.parse.failed':
      return new ValidationFailed('Request body is not valid JSON');
    case 'entity.too.large':
      return new PayloadTooLarge(`Request body is too large (limit ${limitLabel(route.limitBytes)})`);
    case 'parameters.too.many':
      return new PayloadTooLarge('Request body has too many form fields (limit 1000)');
    case 'charset.unsupported':
      return new UnsupportedMediaType(`unsupported charset ${quoted(String(e.charset).toUpperCase())}; send UTF-8`);
    case 'encoding.unsupported':
      return new UnsupportedMediaType(`Content-Encoding ${quoted(e.encoding)} is not supported; send the body uncompressed`);
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return new ValidationFailed('Request body could not be read completely (Content-Length does not match the bytes sent?)');
    default:
      return err;
  }
}

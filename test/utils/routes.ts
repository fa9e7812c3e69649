import { NestExpressApplication } from '@nestjs/platform-express';

export interface RouteInfo {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route the running Express app serves (read from its router), so tests enumerate instead of sampling. */
export function listRoutes(app: NestExpressApplication): RouteInfo[] {
  const express = app.getHttpAdapter().getInstance() as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } };
  const stack = (express.router ?? express._router)?.stack ?? [];
  return stack
    .filter((l): l is Required<Layer> => Boolean(l.route))
    .flatMap((l) => Object.keys(l.route.methods).filter((m) => m !== '_all').map((m) => ({ method: m.toUpperCase(), path: l.route.path })));
}

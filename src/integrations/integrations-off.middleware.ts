import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { NotFound } from '../common/errors';

/**
 * ENABLE_INTEGRATIONS=false: every platform webhook route (`/webhooks/<platform>/…`) answers 404 before its guard or
 * controller runs, so nothing is verified, stored or processed. Applied by AppModule only when the flag is off.
 */
@Injectable()
export class IntegrationsOffMiddleware implements NestMiddleware {
  use(_req: Request, _res: Response, next: NextFunction): void {
    next(new NotFound('route (platform integrations are disabled: ENABLE_INTEGRATIONS=false)'));
  }
}

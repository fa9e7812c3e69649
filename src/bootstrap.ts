import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { BODY_ROUTES, installBodyParsers } from './common/body-parsers';
import { AppConfig } from './config/app-config';
import { setupOpenApi } from './openapi/openapi';
import { platformBodyRoutes } from './integrations';
import { AppLogger } from './logging/app-logger';

/** Express settings every HTTP instance shares (the app, the tests): body parsing (raw bytes kept), docs, proxies. */
export function configureHttpApp(app: NestExpressApplication): void {
  app.useLogger(app.get(AppLogger));
  // Which peers may name the client in X-Forwarded-For (TRUST_PROXY; none by default): req.ip feeds the login limit.
  app.set('trust proxy', app.get(AppConfig).trustProxy);
  app.disable('x-powered-by');
  // request id, per-route body limits and parsers (raw bytes kept), input rules, body-parser errors → our codes
  installBodyParsers(app, [...platformBodyRoutes(), ...BODY_ROUTES]);
  setupOpenApi(app);
}

export async function createHttpApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    rawBody: true,
    forceCloseConnections: false,
  });
  configureHttpApp(app);
  return app;
}

export async function createWorkerContext(config: AppConfig): Promise<INestApplicationContext> {
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { bufferLogs: true });
  ctx.useLogger(ctx.get(AppLogger));
  return ctx;
}

export type RunningApp = INestApplication | INestApplicationContext;

import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module';
import { ValidationFailed } from './common/errors';
import { AppConfig } from './config/app-config';
import { AppLogger } from './logging/app-logger';

/** Express settings every HTTP instance shares (the app, the tests): raw body for signatures, docs, proxies. */
export function configureHttpApp(app: NestExpressApplication): void {
  app.useLogger(app.get(AppLogger));
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: '1mb' });
  app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => {
    // body-parser's own messages are not meant for API clients; say plainly what is wrong.
    const type = (err as { type?: unknown } | null)?.type;
    if (type === 'entity.parse.failed') return next(new ValidationFailed('Request body is not valid JSON'));
    if (type === 'entity.too.large') return next(new ValidationFailed('Request body is too large (limit 1 MB)'));
    next(err);
  });
  const docs = new DocumentBuilder()
    .setTitle('Switchboard API')
    .setDescription('Team admin API: teams, members, agents, platform connections, webhooks.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, docs), { jsonDocumentUrl: 'docs-json' });
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

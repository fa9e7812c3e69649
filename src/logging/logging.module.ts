import { DynamicModule, Global, Module } from '@nestjs/common';
import type { DestinationStream, LoggerOptions } from 'pino';
import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { serializeError } from './error-serializer';
import { requestIdOf } from '../common/request-id';
import { AppLogger } from './app-logger';
import { logStream } from './log-stream';

/**
 * Paths pino removes from every log line: credentials in headers and in bodies, wherever they appear. The platforms'
 * own secret headers and credential fields are added by the composition root (`platformRedactPaths()`,
 * src/integrations/index.ts).
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.accessToken',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.credentials',
  'credentials',
  'password',
  'secret',
];

/** Invitation tokens travel in the accept route's path; request logs show the path without them. */
export function redactUrl(url: string): string {
  return url.replace(/(\/v1\/invitations\/)[^/?#]+/g, '$1[redacted]');
}

/** What every pino logger of the process shares: the level and the redaction (applied before any formatting). */
export function baseLogOptions(config: Pick<AppConfig, 'logLevel'>, extraRedactPaths: readonly string[]): LoggerOptions {
  return { level: config.logLevel, redact: { paths: [...new Set([...REDACT_PATHS, ...extraRedactPaths])], censor: '[redacted]' } };
}

/** Where log lines go: stdout; tests swap it for a stream they read. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

@Global()
@Module({
  providers: [{ provide: LOG_DESTINATION, useValue: process.stdout }],
  exports: [LOG_DESTINATION],
})
export class LogDestinationModule {}

/** `forRoot(extraRedactPaths)`: the paths beyond REDACT_PATHS that are never logged (the platforms' secrets). */
@Module({})
export class LoggingModule {
  static forRoot(extraRedactPaths: readonly string[]): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LogDestinationModule,
        LoggerModule.forRootAsync({
          inject: [AppConfig, LOG_DESTINATION],
          useFactory: (config: AppConfig, destination: DestinationStream) => ({
            pinoHttp: [{
              ...baseLogOptions(config, extraRedactPaths),
              // the role in every line, bound once (a customProps child per request costs a logger per request)
              base: { pid: process.pid, hostname: hostname(), role: config.role },
              genReqId: (req: IncomingMessage) => requestIdOf(req),
              autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') || req.url === '/metrics' },
              serializers: {
                req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
                err: serializeError, // a failed SQL statement: its code and names, never its parameters
              },
            }, logStream(config, destination)],
          }),
        }),
      ],
      providers: [AppLogger],
      exports: [AppLogger],
    };
  }
}

import { Injectable } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

/** Nest's own boot chatter (a line per module and per route): useful when debugging, noise otherwise. */
const FRAMEWORK_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** The Nest logger (nestjs-pino) with the framework's module-loading and route lines moved from info to debug. */
@Injectable()
export class AppLogger extends Logger {
  /** Nest's LoggerService contract: the context is the last parameter. */
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context: unknown = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) this.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

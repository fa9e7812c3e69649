import pino, { DestinationStream, Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { logStream } from './log-stream';
import { baseLogOptions } from './logging.module';

/**
 * The logger of the entry point itself (migrations run, listening, …), outside Nest: the same level, redaction and
 * format as the app's, so a terminal shows one style and a collector one JSON shape.
 */
export function createRootLogger(
  config: Pick<AppConfig, 'logLevel' | 'logFormat' | 'env' | 'role'>,
  destination: DestinationStream,
  /** The platforms' secret headers and fields (`platformRedactPaths()`), beside the common REDACT_PATHS. */
  extraRedactPaths: readonly string[],
): Logger {
  return pino(baseLogOptions(config, extraRedactPaths), logStream(config, destination)).child({ role: config.role });
}

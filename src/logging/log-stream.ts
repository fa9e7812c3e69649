import type { DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { AppConfig } from '../config/app-config';

/** LOG_FORMAT=auto: human-readable lines only for a developer at a terminal; JSON for files, pipes and collectors. */
export function usesPrettyLogs(config: Pick<AppConfig, 'logFormat' | 'env'>, destination: unknown): boolean {
  if (config.logFormat !== 'auto') return config.logFormat === 'pretty';
  return config.env === 'development' && (destination as { isTTY?: boolean }).isTTY === true;
}

/**
 * The stream pino writes to: the destination itself (JSON lines), or a synchronous pino-pretty formatter in front of
 * it. Synchronous so that a line logged just before `process.exit` is not lost.
 */
export function logStream(config: Pick<AppConfig, 'logFormat' | 'env'>, destination: DestinationStream): DestinationStream {
  if (!usesPrettyLogs(config, destination)) return destination;
  const pretty = prettyFactory({
    colorize: (destination as { isTTY?: boolean }).isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
  });
  return { write: (line: string) => destination.write(pretty(line)) };
}

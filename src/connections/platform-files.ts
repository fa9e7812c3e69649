import type { ConnectorContext, IncomingAttachment } from './platform-connector';

/** A file downloaded from a platform, in memory only (never stored), or the news that it is over the cap. */
export type DownloadedFile = { kind: 'file'; data: Buffer; mime?: string; name?: string } | { kind: 'too_large' };

/** The file cannot be had and retrying will not help (deleted, not ours, refused): the user is told, no retry. */
export class FileUnavailableError extends Error {
  readonly code = 'FILE_UNAVAILABLE';
}

/**
 * Implemented by connectors whose users send files (Telegram, Slack). Reads at most `maxBytes` (a larger file is
 * `too_large`, never buffered whole); throws FileUnavailableError when it can never succeed, anything else to be
 * retried. Never puts a credential in an error.
 */
export interface FileDownloader {
  downloadFile(ctx: ConnectorContext, attachment: IncomingAttachment, maxBytes: number): Promise<DownloadedFile>;
}

export function isFileDownloader(c: object): c is FileDownloader {
  return typeof (c as Partial<FileDownloader>).downloadFile === 'function';
}

import type { Credentials, IncomingAttachment } from '../../connections/platform-connector';
import { PlatformRejectedError } from '../../connections/platform-connector';
import { DownloadedFile, FileUnavailableError } from '../../connections/platform-files';
import { PlatformFileFetcher } from '../../http/platform-file-fetcher';

/** The Bot API call this needs, made through the connector (its deadline and error mapping). */
export type GetFile = (fileId: string) => Promise<{ file_path?: string; file_size?: number }>;

/**
 * A voice note, photo or document from Telegram: `getFile` names its path, then `<TELEGRAM_API_ROOT>/file/bot<token>/<path>`
 * serves it (bots may download files up to 20 MB; Telegram says "file is too big" beyond). Read at most `maxBytes`.
 * Errors never carry the URL (it holds the bot token).
 */
export async function downloadTelegramFile(
  deps: { fetcher: PlatformFileFetcher; apiRoot: string; timeoutMs: number; getFile: GetFile },
  credentials: Credentials,
  attachment: IncomingAttachment,
  maxBytes: number,
): Promise<DownloadedFile> {
  let file: { file_path?: string; file_size?: number };
  try {
    file = await deps.getFile(attachment.fileId);
  } catch (e) {
    if (!(e instanceof PlatformRejectedError)) throw e;
    if (/too big/i.test(e.message)) return { kind: 'too_large' };
    throw new FileUnavailableError(`Telegram getFile refused: ${e.message}`);
  }
  if (typeof file.file_size === 'number' && file.file_size > maxBytes) return { kind: 'too_large' };
  if (typeof file.file_path !== 'string' || !file.file_path) throw new FileUnavailableError('Telegram getFile returned no file_path');
  const path = file.file_path.split('/').map(encodeURIComponent).join('/');
  const res = await deps.fetcher.get(`${deps.apiRoot}/file/bot${credentials.botToken}/${path}`, { maxBytes, timeoutMs: deps.timeoutMs });
  if (!res.ok) {
    if (res.tooLarge) return { kind: 'too_large' };
    throw new Error(`Telegram file download failed (${res.errorCode})`);
  }
  if (res.status === 429 || res.status >= 500) throw new Error(`Telegram file download answered ${res.status}`);
  if (res.status !== 200) throw new FileUnavailableError(`Telegram file download answered ${res.status}`);
  return { kind: 'file', data: res.data, ...(res.contentType && res.contentType !== 'application/octet-stream' ? { mime: res.contentType.split(';')[0] } : {}) };
}

import type { Credentials, IncomingAttachment } from '../../connections/platform-connector';
import { DownloadedFile, FileUnavailableError } from '../../connections/platform-files';
import { PlatformFileFetcher } from '../../http/platform-file-fetcher';

/**
 * A file shared in Slack: its `url_private(_download)` with the bot token as Bearer (the app needs `files:read`). The
 * token is sent only to SLACK_FILES_URL's origin — a URL elsewhere in a (signed) event is refused, not fetched — and
 * redirects are not followed. Read at most `maxBytes`.
 */
export async function downloadSlackFile(
  deps: { fetcher: PlatformFileFetcher; filesOrigin: string; timeoutMs: number },
  credentials: Credentials,
  attachment: IncomingAttachment,
  maxBytes: number,
): Promise<DownloadedFile> {
  if (!attachment.url) throw new FileUnavailableError('the Slack event gave no url_private for the file');
  let origin: string;
  try {
    origin = new URL(attachment.url).origin;
  } catch {
    throw new FileUnavailableError('the Slack file URL is not a URL');
  }
  if (origin !== deps.filesOrigin) throw new FileUnavailableError(`the Slack file URL is not on ${deps.filesOrigin} (SLACK_FILES_URL): not downloaded`);
  const res = await deps.fetcher.get(attachment.url, { headers: { authorization: `Bearer ${credentials.botToken}` }, maxBytes, timeoutMs: deps.timeoutMs });
  if (!res.ok) {
    if (res.tooLarge) return { kind: 'too_large' };
    throw new Error(`Slack file download failed (${res.errorCode})`);
  }
  if (res.status === 429 || res.status >= 500) throw new Error(`Slack file download answered ${res.status}`);
  if (res.status !== 200) throw new FileUnavailableError(`Slack file download answered ${res.status}`);
  // Without a valid token or the files:read scope Slack answers 200 with its sign-in page.
  if (res.contentType?.startsWith('text/html')) throw new FileUnavailableError('Slack answered with a web page instead of the file (does the app have the files:read scope?)');
  return { kind: 'file', data: res.data, ...(res.contentType && res.contentType !== 'application/octet-stream' ? { mime: res.contentType.split(';')[0] } : {}) };
}

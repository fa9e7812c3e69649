import { TelegramError } from 'telegraf';
import { InvalidCredentialsError, PermanentSendError, PlatformRejectedError, PlatformUnavailableError, RetryLaterError } from '../../connections/platform-connector';

export function isTelegramError(e: unknown): e is TelegramError {
  return e instanceof TelegramError || (typeof e === 'object' && e !== null && 'response' in e && 'on' in e);
}

/** Send failures: 429 waits, blocked/kicked is final, a revoked token fails the connection, the rest retries. */
export function mapSendError(e: unknown): Error {
  if (isTelegramError(e)) {
    const code = e.code;
    const description = e.description ?? 'error';
    if (code === 429) {
      const seconds = Number(e.parameters?.retry_after ?? 1);
      return new RetryLaterError(`Telegram rate limit: retry after ${seconds} s`, Math.max(1, seconds) * 1000);
    }
    if (code === 403) return new PermanentSendError(`Telegram refused: ${description}`, { blocked: true, blockedReason: description });
    if (code === 401 || code === 404) return new InvalidCredentialsError(`${description} (the bot token is not valid)`);
    if (code === 400) return new PermanentSendError(`Telegram refused the message: ${description}`);
    return new Error(`Telegram answered ${code}: ${description}`);
  }
  const err = e as { code?: string; errno?: string; type?: string };
  return new Error(`network error talking to Telegram (${err.code ?? err.errno ?? err.type ?? 'unknown'})`);
}

/** Any other Bot API call's failure as a connector error that never carries the token. */
export function mapTelegramError(e: unknown): Error {
  if (e instanceof PlatformUnavailableError) return e;
  if (e instanceof TelegramError) {
    const code = e.code;
    const description = e.description ?? 'error';
    if (code === 401 || code === 404) return new InvalidCredentialsError(`${description} (the bot token is not valid)`);
    if (code >= 500 || code === 429) return new PlatformUnavailableError(`${code}: ${description}`);
    return new PlatformRejectedError(`${code}: ${description}`);
  }
  // Network errors from node-fetch quote the URL, which contains the token: keep only the error code.
  const err = e as { code?: string; errno?: string; type?: string };
  return new PlatformUnavailableError(`network error (${err.code ?? err.errno ?? err.type ?? 'unknown'})`);
}

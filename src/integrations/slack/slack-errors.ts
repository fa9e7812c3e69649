import { InvalidCredentialsError, PermanentSendError, PlatformRejectedError, PlatformUnavailableError, RetryLaterError } from '../../connections/platform-connector';

/** Slack Web API errors that mean the token is no good: the connection goes to `error`. */
const AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'missing_scope']);

/** While replying: 429 waits, revoked auth fails the connection, missing channels fail the event, the rest retries. */
export function mapSlackSendError(e: unknown): Error {
  const err = e as { code?: string; data?: { error?: string }; retryAfter?: number; statusCode?: number };
  if (err.code === 'slack_webapi_rate_limited_error') {
    return new RetryLaterError(`Slack rate limit: retry after ${err.retryAfter ?? 1} s`, Math.max(1, err.retryAfter ?? 1) * 1000);
  }
  if (err.code === 'slack_webapi_platform_error') {
    const reason = err.data?.error ?? 'unknown_error';
    if (AUTH_ERRORS.has(reason)) return new InvalidCredentialsError(reason);
    if (reason === 'not_in_channel' || reason === 'channel_not_found' || reason === 'is_archived') {
      return new PermanentSendError(`Slack: ${reason} — invite the app to the channel (or check it still exists)`);
    }
    return new PermanentSendError(`Slack refused the message: ${reason}`);
  }
  if (err.code === 'slack_webapi_http_error') return new Error(`Slack answered HTTP ${err.statusCode ?? '?'}`);
  return new Error('network error talking to Slack');
}

/** Any other Web API call's failure (credential checks, health checks) as a connector error. */
export function mapSlackError(e: unknown): Error {
  const err = e as { code?: string; data?: { error?: string }; statusCode?: number; retryAfter?: number; original?: { code?: string } };
  switch (err.code) {
    case 'slack_webapi_platform_error': {
      const reason = err.data?.error ?? 'unknown_error';
      return AUTH_ERRORS.has(reason) ? new InvalidCredentialsError(reason) : new PlatformRejectedError(reason);
    }
    case 'slack_webapi_rate_limited_error':
      return new PlatformUnavailableError(`rate limited (retry after ${err.retryAfter ?? '?'} s)`);
    case 'slack_webapi_http_error':
      return new PlatformUnavailableError(`HTTP ${err.statusCode ?? '?'}`);
    case 'slack_webapi_request_error':
      return new PlatformUnavailableError(`network error (${err.original?.code ?? 'unknown'})`);
    default:
      return new PlatformUnavailableError('unexpected error talking to Slack');
  }
}

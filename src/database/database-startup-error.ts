import { ExitCode, StartupError, errorCode } from '../common/startup-error';

/** Socket errors: PostgreSQL cannot be reached (yet). */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
};

/** SQLSTATEs of a server that answers but is not taking connections now. */
const NOT_ACCEPTING: Record<string, string> = {
  '53300': 'too many connections',
  '57P03': 'the server is starting up or shutting down',
};

/** SQLSTATEs of a login the server refuses: DATABASE_URL's role or password is wrong. */
const LOGIN_REFUSED = new Set(['28P01', '28000']);

/** `host:port` of a PostgreSQL URL, never its password. */
export function databaseAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || u.searchParams.get('host') || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/**
 * Turns a failure to connect to PostgreSQL at startup into one line naming DATABASE_URL and the cause;
 * undefined for anything else (a failing migration keeps its stack trace).
 */
export function databaseStartupError(e: unknown, url: string): StartupError | undefined {
  const at = databaseAddress(url);
  const code = errorCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code && UNREACHABLE[code]) return new StartupError([`DATABASE_URL: cannot connect to ${at} (${UNREACHABLE[code]})`], ExitCode.UNAVAILABLE);
  if (code && NOT_ACCEPTING[code]) return new StartupError([`DATABASE_URL: cannot connect to ${at} (${NOT_ACCEPTING[code]})`], ExitCode.UNAVAILABLE);
  // pg's client ("timeout expired") and pool ("… due to connection timeout"): no PostgreSQL answered in time
  if (/^timeout expired$|connection timeout/i.test(message)) {
    return new StartupError([`DATABASE_URL: cannot connect to ${at} (no answer in time; is it PostgreSQL?)`], ExitCode.UNAVAILABLE);
  }
  if (/Connection terminated unexpectedly/i.test(message)) {
    return new StartupError([`DATABASE_URL: cannot connect to ${at} (the server closed the connection; is it PostgreSQL?)`], ExitCode.UNAVAILABLE);
  }
  if (code && LOGIN_REFUSED.has(code)) return new StartupError([`DATABASE_URL: PostgreSQL at ${at} refused the login (${message})`], ExitCode.CONFIG);
  if (/client password must be a string/.test(message)) {
    return new StartupError([`DATABASE_URL: PostgreSQL at ${at} asks for a password and DATABASE_URL has none`], ExitCode.CONFIG);
  }
  if (/\bSSL\b/i.test(message)) return new StartupError([`DATABASE_URL: ${at}: ${message}`], ExitCode.CONFIG);
  return undefined;
}

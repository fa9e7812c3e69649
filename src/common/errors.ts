/**
 * Error codes services use; the global filter maps each to an HTTP status and puts it in the body's `code`. Clients
 * branch on `code`, never on message strings.
 */
export const ErrorCode = {
  VALIDATION: 'VALIDATION_FAILED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNPROCESSABLE: 'UNPROCESSABLE',
  /** The platform refused the connection's credentials. */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** The platform understood but refused the request for another reason (e.g. the webhook URL). */
  PLATFORM_REJECTED: 'PLATFORM_REJECTED',
  /** Stored credentials cannot be decrypted with the current key ring. */
  CREDENTIALS_UNREADABLE: 'CREDENTIALS_UNREADABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM: 'UPSTREAM_UNAVAILABLE',
  /** The platform could not be reached or answered 5xx. */
  PLATFORM_UNAVAILABLE: 'PLATFORM_UNAVAILABLE',
  /** The agent's runtime failed (the runtime's own code is in `details.runtimeCode`). */
  AGENT_RUNTIME_FAILED: 'AGENT_RUNTIME_FAILED',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  INVALID_CREDENTIALS: 422,
  PLATFORM_REJECTED: 422,
  CREDENTIALS_UNREADABLE: 422,
  RATE_LIMITED: 429,
  UPSTREAM_UNAVAILABLE: 502,
  PLATFORM_UNAVAILABLE: 502,
  AGENT_RUNTIME_FAILED: 502,
  INTERNAL: 500,
};

/**
 * Errors raised below the services carry their own string code: connectors (src/connections/platform-connector.ts),
 * the cipher (src/crypto/credential-cipher.ts) and agent runtimes (src/agents/runtimes/runtime.types.ts). This is the
 * one table that turns those codes into DomainError codes; `toDomainError` and the exception filter use it.
 */
export const RAISED_ERROR_CODES = {
  connector: {
    INVALID_CREDENTIALS: ErrorCode.INVALID_CREDENTIALS,
    PLATFORM_REJECTED: ErrorCode.PLATFORM_REJECTED,
    PLATFORM_UNAVAILABLE: ErrorCode.PLATFORM_UNAVAILABLE,
  },
  cipher: {
    KEY_NOT_FOUND: ErrorCode.CREDENTIALS_UNREADABLE,
    DECRYPT_FAILED: ErrorCode.CREDENTIALS_UNREADABLE,
  },
  runtime: {
    SSRF_BLOCKED: ErrorCode.AGENT_RUNTIME_FAILED,
    INVALID_URL: ErrorCode.AGENT_RUNTIME_FAILED,
    DNS: ErrorCode.AGENT_RUNTIME_FAILED,
    TIMEOUT: ErrorCode.AGENT_RUNTIME_FAILED,
    TLS: ErrorCode.AGENT_RUNTIME_FAILED,
    UNREACHABLE: ErrorCode.AGENT_RUNTIME_FAILED,
    UPSTREAM_STATUS: ErrorCode.AGENT_RUNTIME_FAILED,
    BAD_RESPONSE: ErrorCode.AGENT_RUNTIME_FAILED,
    UNKNOWN_RUNTIME: ErrorCode.AGENT_RUNTIME_FAILED,
    STREAM_INCOMPLETE: ErrorCode.AGENT_RUNTIME_FAILED,
  },
} as const satisfies Record<string, Record<string, ErrorCode>>;
export type RaisedErrorSource = keyof typeof RAISED_ERROR_CODES;

/** The base of the errors in RAISED_ERROR_CODES: a family (`source`) and that family's own code. */
export abstract class RaisedError<S extends RaisedErrorSource = RaisedErrorSource> extends Error {
  abstract readonly source: S;
  abstract readonly code: keyof (typeof RAISED_ERROR_CODES)[S] & string;
  constructor(message?: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The code for a status that came from outside our code (Nest's own exceptions, body-parser): one per status. */
const STATUS_CODE: Readonly<Record<number, ErrorCode>> = {
  400: ErrorCode.VALIDATION,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  422: ErrorCode.UNPROCESSABLE,
  429: ErrorCode.RATE_LIMITED,
  502: ErrorCode.UPSTREAM,
};
export function errorCodeForStatus(status: number): ErrorCode | `HTTP_${number}` {
  return STATUS_CODE[status] ?? (status >= 500 ? ErrorCode.INTERNAL : `HTTP_${status}`);
}

export interface FieldProblem {
  field: string;
  messages: string[];
}

export class DomainError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends DomainError {
  constructor(message: string, details?: FieldProblem[]) {
    super(ErrorCode.VALIDATION, message, details);
  }
}
export class Unauthorized extends DomainError {
  constructor(message = 'Authentication required') {
    super(ErrorCode.UNAUTHORIZED, message);
  }
}
export class Forbidden extends DomainError {
  constructor(message = 'You do not have permission to do this') {
    super(ErrorCode.FORBIDDEN, message);
  }
}
export class NotFound extends DomainError {
  constructor(what: string) {
    super(ErrorCode.NOT_FOUND, `${what} not found`);
  }
}
export class Conflict extends DomainError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message);
  }
}
/** A request body over its route's limit. */
export class PayloadTooLarge extends DomainError {
  constructor(message: string) {
    super(ErrorCode.PAYLOAD_TOO_LARGE, message);
  }
}
/** A body we cannot read as sent: charset, content encoding. */
export class UnsupportedMediaType extends DomainError {
  constructor(message: string) {
    super(ErrorCode.UNSUPPORTED_MEDIA_TYPE, message);
  }
}
export class Unprocessable extends DomainError {
  constructor(message: string, details?: unknown) {
    super(ErrorCode.UNPROCESSABLE, message, details);
  }
}
/** Try again after `retryAfterSeconds` (the filter sends it as Retry-After), e.g. a platform's rate limit. */
export class RateLimited extends DomainError {
  constructor(
    message: string,
    public readonly retryAfterSeconds: number,
    details?: unknown,
  ) {
    super(ErrorCode.RATE_LIMITED, message, details);
  }
}
export class UpstreamUnavailable extends DomainError {
  constructor(message: string) {
    super(ErrorCode.UPSTREAM, message);
  }
}

/**
 * A connector, cipher or runtime error as a DomainError (through RAISED_ERROR_CODES); `prefix` adds context for
 * people (e.g. "telegram rejected the credentials"). Anything else: undefined (the caller rethrows it).
 */
export function toDomainError(e: unknown, prefix?: string): DomainError | undefined {
  if (e instanceof DomainError) return e;
  if (!(e instanceof RaisedError)) return undefined;
  const raised = e as RaisedError;
  const code = (RAISED_ERROR_CODES[raised.source] as Record<string, ErrorCode>)[raised.code];
  if (!code) return undefined;
  const message = prefix ? `${prefix}: ${raised.message}` : raised.message;
  return new DomainError(code, message, raised.source === 'runtime' ? { runtimeCode: raised.code } : undefined);
}

/** Error codes services use; the global filter maps each to an HTTP status. Never match on message strings. */
export const ErrorCode = {
  VALIDATION: 'VALIDATION',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNPROCESSABLE: 'UNPROCESSABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM: 'UPSTREAM',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  UPSTREAM: 502,
  INTERNAL: 500,
};

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

import { DomainError, ErrorCode, Unauthorized } from '../../common/errors';

/** One answer for every key that cannot be used: unknown, revoked or expired. */
export class ApiKeyInvalid extends Unauthorized {
  constructor() {
    super('Authentication required: the API key is unknown, revoked or expired');
  }
}

/** The key spent its requests for this minute; the guard sets Retry-After. */
export class ApiKeyRateLimited extends DomainError {
  constructor(public readonly retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, `Too many requests with this API key; try again in ${retryAfterSeconds} s`);
  }
}

import { DomainError, ErrorCode } from '../common/errors';

/** Credentials of a connection could not be read with the current key ring. */
export class CredentialsUnavailable extends DomainError {
  constructor(reason: string) {
    super(ErrorCode.CREDENTIALS_UNREADABLE, `this connection's credentials cannot be read: ${reason}. Replace the credentials (PATCH credentials).`);
  }
}

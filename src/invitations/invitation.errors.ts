import { DomainError, ErrorCode, Unauthorized } from '../common/errors';

/**
 * One answer for every token that cannot be used: unknown, expired, revoked, already accepted, or addressed to
 * another email than the signed-in user's. The caller cannot tell these cases apart.
 */
export class InvitationNotFound extends DomainError {
  constructor() {
    super(
      ErrorCode.NOT_FOUND,
      'invitation not found: the link is unknown, expired, revoked or already used, or it is for another email than the one you are signed in with',
    );
  }
}

/**
 * Accepting without a bearer token: no password given, or the invited email already has an account (its owner
 * must sign in; an invitation never sets a password on an existing account). Same message in both cases.
 */
export class InvitationNeedsSignIn extends Unauthorized {
  constructor() {
    super('sign in as the invited email to accept this invitation, or send {name, password} to create an account if that email has none yet');
  }
}

import { createHash } from 'node:crypto';
import { randomToken } from '../crypto/secrets';

const PREFIX = 'sbinv_';
/** `sbinv_` + 43 base64url characters (256 random bits). */
const SHAPE = /^sbinv_[A-Za-z0-9_-]{43}$/;

/** Hex SHA-256 of the token: what the database keeps. */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new token (shown once) and its hash (stored). */
export function newInvitationToken(): { token: string; hash: string } {
  const token = `${PREFIX}${randomToken(32)}`;
  return { token, hash: hashInvitationToken(token) };
}

/** Cheap shape check so junk never reaches the database. */
export function looksLikeInvitationToken(value: string): boolean {
  return SHAPE.test(value);
}

import { createHash } from 'node:crypto';
import { randomToken } from '../../crypto/secrets';

const PREFIX = 'sb_';
/** `sb_` + 43 base64url characters (256 random bits). */
const SHAPE = /^sb_[A-Za-z0-9_-]{43}$/;
/** How much of the key is kept for display: `sb_` + 8 characters. */
const DISPLAY_LENGTH = PREFIX.length + 8;

/** Hex SHA-256 of the key: what the database keeps. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key (shown once), its hash (stored) and its display prefix (stored). */
export function newApiKey(): { key: string; hash: string; prefix: string } {
  const key = `${PREFIX}${randomToken(32)}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, DISPLAY_LENGTH) };
}

/** A bearer token meant as an API key (JWTs start with `eyJ`, invitation tokens with `sbinv_`). */
export function isApiKeyToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

/** Cheap shape check so junk never reaches the database. */
export function looksLikeApiKey(value: string): boolean {
  return SHAPE.test(value);
}

import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KEY_BYTES, KEY_ID, Keyring, parseKeyring } from '../config/keyring';
import { RaisedError } from '../common/errors';

/**
 * Encryption at rest for platform credentials (AES-256-GCM).
 *
 * Envelope: `v1.<kid>.<iv b64url>.<tag b64url>.<ciphertext b64url>`.
 * The row the value belongs to (table, row id, field) is bound as additional
 * authenticated data, so a ciphertext copied onto another row or field fails.
 */

export interface CipherContext {
  table: string;
  rowId: string;
  field: string;
}

/** Cipher errors map to DomainError codes in src/common/errors.ts (RAISED_ERROR_CODES.cipher). */
export class UnknownKeyError extends RaisedError<'cipher'> {
  readonly source = 'cipher';
  readonly code = 'KEY_NOT_FOUND';
  constructor(readonly keyId: string) {
    super(`encryption key "${keyId}" is not in ENCRYPTION_KEYS`);
  }
}

export class DecryptionError extends RaisedError<'cipher'> {
  readonly source = 'cipher';
  readonly code = 'DECRYPT_FAILED';
  constructor() {
    super('credentials could not be decrypted (tampered, or bound to another row)');
  }
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

@Injectable()
export class CredentialCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly activeKeyId: string;

  constructor(keyring: Keyring) {
    for (const [id, key] of keyring.keys) {
      if (!KEY_ID.test(id) || key.length !== KEY_BYTES) throw new Error(`keyring: key "${id}" is invalid`);
    }
    if (!keyring.keys.has(keyring.activeKeyId)) throw new UnknownKeyError(keyring.activeKeyId);
    this.keys = new Map(keyring.keys);
    this.activeKeyId = keyring.activeKeyId;
  }

  static fromSpec(spec: string): CredentialCipher {
    return new CredentialCipher(parseKeyring(spec));
  }

  encrypt(plaintext: string, aad: CipherContext): string {
    const key = this.keys.get(this.activeKeyId) as Buffer; // checked in the constructor
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aadBytes(aad));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.activeKeyId, b64url(iv), b64url(cipher.getAuthTag()), b64url(ciphertext)].join('.');
  }

  decrypt(envelope: string, aad: CipherContext): string {
    const parsed = parseEnvelope(envelope);
    const key = this.keys.get(parsed.keyId);
    if (!key) throw new UnknownKeyError(parsed.keyId);
    const additional = aadBytes(aad);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(additional);
      decipher.setAuthTag(parsed.tag);
      return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError();
    }
  }

  encryptJson(value: unknown, aad: CipherContext): string {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError('encryptJson: value is not JSON-serialisable');
    return this.encrypt(json, aad);
  }

  decryptJson<T = unknown>(envelope: string, aad: CipherContext): T {
    const json = this.decrypt(envelope, aad);
    try {
      return JSON.parse(json) as T;
    } catch {
      // JSON.parse messages quote the input, which is plaintext: never rethrow them.
      throw new DecryptionError();
    }
  }

  keyIdOf(envelope: string): string {
    return parseEnvelope(envelope).keyId;
  }

  /** True when the envelope is not under the active key and should be re-encrypted. */
  needsReencryption(envelope: string): boolean {
    return this.keyIdOf(envelope) !== this.activeKeyId;
  }
}

function aadBytes({ table, rowId, field }: CipherContext): Buffer {
  for (const [name, value] of Object.entries({ table, rowId, field })) {
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`CipherContext.${name} must be a non-empty string`);
    }
  }
  // JSON keeps the binding unambiguous even if a part contains ':'.
  return Buffer.from(JSON.stringify(['switchboard', VERSION, table, rowId, field]), 'utf8');
}

interface Envelope {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function parseEnvelope(envelope: string): Envelope {
  const parts = typeof envelope === 'string' ? envelope.split('.') : [];
  if (parts.length !== 5 || parts[0] !== VERSION || !KEY_ID.test(parts[1])) throw new DecryptionError();
  const [iv, tag, ciphertext] = parts.slice(2).map(strictB64url);
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new DecryptionError();
  return { keyId: parts[1], iv, tag, ciphertext };
}

/** Decodes base64url, rejecting non-canonical text (so every character of the envelope is authenticated). */
function strictB64url(text: string): Buffer {
  if (!BASE64URL.test(text)) throw new DecryptionError();
  const bytes = Buffer.from(text, 'base64url');
  if (b64url(bytes) !== text) throw new DecryptionError();
  return bytes;
}

function b64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

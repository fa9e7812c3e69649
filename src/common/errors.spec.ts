import { InvalidCredentialsError, PlatformRejectedError, PlatformUnavailableError } from '../connections/platform-connector';
import { DecryptionError, UnknownKeyError } from '../crypto/credential-cipher';
import { RuntimeError } from '../agents/runtimes/runtime.types';
import { ERROR_STATUS, ErrorCode, NotFound, errorCodeForStatus, toDomainError } from './errors';

describe('toDomainError (the one mapping of raised errors)', () => {
  it.each([
    [new InvalidCredentialsError('Unauthorized'), ErrorCode.INVALID_CREDENTIALS, 422],
    [new PlatformRejectedError('bad webhook'), ErrorCode.PLATFORM_REJECTED, 422],
    [new PlatformUnavailableError('500'), ErrorCode.PLATFORM_UNAVAILABLE, 502],
    [new UnknownKeyError('k9'), ErrorCode.CREDENTIALS_UNREADABLE, 422],
    [new DecryptionError(), ErrorCode.CREDENTIALS_UNREADABLE, 422],
    [new RuntimeError('timed out', true, 'TIMEOUT'), ErrorCode.AGENT_RUNTIME_FAILED, 502],
  ])('%s → its code and status', (e, code, status) => {
    const d = toDomainError(e, 'context');
    expect(d?.code).toBe(code);
    expect(ERROR_STATUS[d!.code]).toBe(status);
    expect(d?.message).toBe(`context: ${e.message}`);
  });

  it('keeps the runtime code in details; leaves DomainErrors alone; does not map other errors', () => {
    expect(toDomainError(new RuntimeError('x', false, 'SSRF_BLOCKED'))?.details).toEqual({ runtimeCode: 'SSRF_BLOCKED' });
    const nf = new NotFound('Team');
    expect(toDomainError(nf)).toBe(nf);
    expect(toDomainError(Object.assign(new Error('x'), { code: 'INVALID_CREDENTIALS' }))).toBeUndefined();
    expect(toDomainError('nope')).toBeUndefined();
  });

  it('a status from outside our code gets the code of that status', () => {
    expect(errorCodeForStatus(400)).toBe('VALIDATION_FAILED');
    expect(errorCodeForStatus(429)).toBe('RATE_LIMITED');
    expect(errorCodeForStatus(405)).toBe('HTTP_405');
    expect(errorCodeForStatus(503)).toBe('INTERNAL');
  });
});

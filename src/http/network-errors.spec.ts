import { classifyNetworkError } from './network-errors';

describe('classifyNetworkError', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, 'CONNREFUSED'],
    [{ code: 'ENOTFOUND' }, 'DNS'],
    [{ code: 'EAI_AGAIN' }, 'DNS'],
    [{ code: 'UND_ERR_HEADERS_TIMEOUT' }, 'TIMEOUT'],
    [{ code: 'UND_ERR_CONNECT_TIMEOUT' }, 'TIMEOUT'],
    [{ name: 'AbortError' }, 'TIMEOUT'],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'TLS'],
    [{ code: 'CERT_HAS_EXPIRED' }, 'TLS'],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'TLS'],
    [{ code: 'SSRF_BLOCKED' }, 'SSRF_BLOCKED'],
    [{ code: 'INVALID_URL' }, 'INVALID_URL'],
    [{ code: 'UND_ERR_SOCKET' }, 'NETWORK'],
    [{ message: 'x', cause: { code: 'ECONNREFUSED' } }, 'CONNREFUSED'],
    ['weird', 'NETWORK'],
  ])('%p → %s', (err, code) => {
    expect(classifyNetworkError(err)).toBe(code);
  });
});

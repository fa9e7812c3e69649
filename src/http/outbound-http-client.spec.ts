import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { assertPublicUrl } from './ssrf/address-policy';
import { HttpResult, HttpSender, classifyNetworkError, parseRetryAfter } from './outbound-http-client';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface TestServer {
  url: string;
  port: number;
  connections: number;
  requests: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

async function startServer(handler: Handler): Promise<TestServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      state.requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const state: TestServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: 0,
    requests: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}

function expectOk(result: HttpResult): Extract<HttpResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a response, got ${result.errorCode}: ${result.message}`);
  return result;
}

const post = (url: string, timeoutMs = 2000) => ({
  url,
  headers: { 'content-type': 'application/json', 'x-test': 'yes' },
  body: '{"hello":"world"}',
  timeoutMs,
});

describe('HttpSender (loopback receivers allowed)', () => {
  let sender: HttpSender;
  let server: TestServer;

  beforeEach(() => {
    sender = new HttpSender({ allowPrivateNetworks: true });
  });
  afterEach(async () => {
    await sender.close();
    await server?.close();
  });

  it('POSTs the body and headers and returns status, headers and body', async () => {
    server = await startServer((_req, res) => {
      res.setHeader('x-receiver', 'ok');
      res.end('thanks');
    });
    const result = expectOk(await sender.send(post(`${server.url}/hooks?a=1`)));
    expect(result).toMatchObject({ status: 200, body: 'thanks' });
    expect(result.headers['x-receiver']).toBe('ok');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/hooks?a=1', body: '{"hello":"world"}' });
    expect(server.requests[0].headers['x-test']).toBe('yes');
  });

  it('returns a 500 as a response', async () => {
    server = await startServer((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    expect(expectOk(await sender.send(post(server.url)))).toMatchObject({ status: 500, body: 'boom' });
  });

  it('does not follow redirects', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(301, { location: 'http://127.0.0.1:1/elsewhere' }).end();
    });
    const result = expectOk(await sender.send(post(server.url)));
    expect(result.status).toBe(301);
    expect(result.headers.location).toBe('http://127.0.0.1:1/elsewhere');
    expect(server.requests).toHaveLength(1);
  });

  it('times out on a slow server', async () => {
    server = await startServer((_req, res) => {
      setTimeout(() => res.end('late'), 1000).unref();
    });
    const result = await sender.send(post(server.url, 150));
    expect(result).toMatchObject({ ok: false, errorCode: 'TIMEOUT' });
    expect(result.durationMs).toBeLessThan(900);
  });

  it('times out when the body trickles in after the headers', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write('partial');
      setTimeout(() => res.end('rest'), 1000).unref();
    });
    expect(await sender.send(post(server.url, 200))).toMatchObject({ ok: false, errorCode: 'TIMEOUT' });
  });

  it('reports a closed port as CONNREFUSED', async () => {
    server = await startServer((_req, res) => res.end());
    const { port } = server;
    await server.close();
    expect(await sender.send(post(`http://127.0.0.1:${port}/`))).toMatchObject({ ok: false, errorCode: 'CONNREFUSED' });
  });

  it('truncates a big body to 4096 bytes without splitting a character', async () => {
    server = await startServer((_req, res) => res.end('é'.repeat(100_000)));
    const result = expectOk(await sender.send(post(server.url)));
    expect(Buffer.byteLength(result.body)).toBe(4096);
    expect(result.body).toBe('é'.repeat(2048));
    // the socket was drained and stays usable
    expectOk(await sender.send(post(server.url)));
    expect(server.connections).toBe(1);
  });

  it('gives up (rather than drains) a huge body and keeps working', async () => {
    server = await startServer((_req, res) => res.end(Buffer.alloc(2 * 1024 * 1024, 'a')));
    const result = expectOk(await sender.send(post(server.url)));
    expect(result.body).toHaveLength(4096);
    expectOk(await sender.send(post(server.url)));
    expect(server.requests).toHaveLength(2);
  });

  it('reuses one keep-alive socket for sequential requests', async () => {
    server = await startServer((_req, res) => res.end('ok'));
    expectOk(await sender.send(post(server.url)));
    expectOk(await sender.send(post(server.url)));
    expect(server.requests).toHaveLength(2);
    expect(server.connections).toBe(1);
  });

  it('connects to the looked-up address but keeps the original Host header', async () => {
    server = await startServer((_req, res) => res.end('ok'));
    const named = new HttpSender({ allowPrivateNetworks: true, lookup: async () => ['127.0.0.1'] });
    try {
      expectOk(await named.send(post(`http://receiver.test:${server.port}/`)));
      expect(server.requests[0].headers.host).toBe(`receiver.test:${server.port}`);
    } finally {
      await named.close();
    }
  });

  it('reports DNS failures', async () => {
    server = await startServer((_req, res) => res.end());
    const failing = new HttpSender({
      allowPrivateNetworks: true,
      lookup: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    });
    try {
      expect(await failing.send(post('http://nowhere.invalid/'))).toMatchObject({ ok: false, errorCode: 'DNS' });
    } finally {
      await failing.close();
    }
  });

  it('reports a TLS failure when https meets a plain-HTTP server', async () => {
    server = await startServer((_req, res) => res.end());
    expect(await sender.send(post(`https://127.0.0.1:${server.port}/`))).toMatchObject({ ok: false, errorCode: 'TLS' });
  });

  it('rejects non-http URLs without throwing', async () => {
    server = await startServer((_req, res) => res.end());
    expect(await sender.send(post('ftp://127.0.0.1/'))).toMatchObject({ ok: false, errorCode: 'NETWORK' });
  });
});

describe('HttpSender (SSRF protection)', () => {
  let sender: HttpSender;
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer((_req, res) => res.end('should not happen'));
  });
  afterEach(async () => {
    await sender.close();
    await server.close();
  });

  it.each(['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]'])('blocks %s and sends nothing', async (host) => {
    sender = new HttpSender({ allowPrivateNetworks: false });
    const result = await sender.send(post(`http://${host}:${server.port}/`));
    expect(result).toMatchObject({ ok: false, errorCode: 'SSRF_BLOCKED' });
    if (!result.ok) expect(result.message).toMatch(/^url resolves to a private or reserved address \(/);
    expect(server.connections).toBe(0);
    expect(server.requests).toHaveLength(0);
  });

  it('checks the address at connect time (DNS rebinding)', async () => {
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    let calls = 0;
    const lookup = async () => answers[Math.min(calls++, 1)];
    // pre-flight validation would see a public address …
    await expect(assertPublicUrl('http://rebind.test/', { allowPrivate: false, lookup })).resolves.toBeUndefined();
    // … but the connection resolves again and is refused
    sender = new HttpSender({ allowPrivateNetworks: false, lookup });
    expect(await sender.send(post(`http://rebind.test:${server.port}/`))).toMatchObject({ ok: false, errorCode: 'SSRF_BLOCKED' });
    expect(server.connections).toBe(0);
  });
});

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
    [{ code: 'UND_ERR_SOCKET' }, 'NETWORK'],
    [{ message: 'x', cause: { code: 'ECONNREFUSED' } }, 'CONNREFUSED'],
    ['weird', 'NETWORK'],
  ])('%p → %s', (err, code) => {
    expect(classifyNetworkError(err)).toBe(code);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2025-01-01T00:00:00Z');
  it.each<[string | undefined, number | undefined]>([
    ['120', 120],
    [' 0 ', 0],
    ['Wed, 01 Jan 2025 00:01:30 GMT', 90],
    ['Tue, 31 Dec 2024 23:00:00 GMT', 0],
    [undefined, undefined],
    ['', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['99999999999999999999', undefined],
  ])('%p → %p', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

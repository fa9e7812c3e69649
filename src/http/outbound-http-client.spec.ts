import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { assertPublicUrl } from './ssrf/address-policy';
import { OutboundHttpClient, OutboundResult } from './outbound-http-client';

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

function expectOk(result: OutboundResult): Extract<OutboundResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a response, got ${result.errorCode}: ${result.message}`);
  return result;
}

const post = (url: string, timeoutMs = 2000) => ({
  url,
  headers: { 'content-type': 'application/json', 'x-test': 'yes' },
  body: '{"hello":"world"}',
  timeoutMs,
});

describe('OutboundHttpClient (loopback receivers allowed)', () => {
  let sender: OutboundHttpClient;
  let server: TestServer;

  beforeEach(() => {
    sender = new OutboundHttpClient({ allowPrivateNetworks: true });
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
    const result = expectOk(await sender.request(post(`${server.url}/hooks?a=1`)));
    expect(result).toMatchObject({ status: 200, body: 'thanks', truncated: false });
    expect(result.headers['x-receiver']).toBe('ok');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/hooks?a=1', body: '{"hello":"world"}' });
    expect(server.requests[0].headers['x-test']).toBe('yes');
  });

  it('GETs without a body', async () => {
    server = await startServer((_req, res) => res.end('got'));
    const result = expectOk(await sender.request({ url: `${server.url}/status`, method: 'GET', timeoutMs: 2000 }));
    expect(result).toMatchObject({ status: 200, body: 'got' });
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/status', body: '' });
  });

  it('returns a 500 as a response', async () => {
    server = await startServer((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    expect(expectOk(await sender.request(post(server.url)))).toMatchObject({ status: 500, body: 'boom' });
  });

  it('does not follow redirects', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(301, { location: 'http://127.0.0.1:1/elsewhere' }).end();
    });
    const result = expectOk(await sender.request(post(server.url)));
    expect(result.status).toBe(301);
    expect(result.headers.location).toBe('http://127.0.0.1:1/elsewhere');
    expect(server.requests).toHaveLength(1);
  });

  it('times out on a slow server', async () => {
    server = await startServer((_req, res) => {
      setTimeout(() => res.end('late'), 1000).unref();
    });
    const result = await sender.request(post(server.url, 150));
    expect(result).toMatchObject({ ok: false, errorCode: 'TIMEOUT', message: 'request timed out after 150 ms' });
    expect(result.durationMs).toBeLessThan(900);
  });

  it('times out when the body trickles in after the headers', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write('partial');
      setTimeout(() => res.end('rest'), 1000).unref();
    });
    expect(await sender.request(post(server.url, 200))).toMatchObject({ ok: false, errorCode: 'TIMEOUT' });
  });

  it('reports a closed port as CONNREFUSED, without the address or port in the message', async () => {
    server = await startServer((_req, res) => res.end());
    const { port } = server;
    await server.close();
    const result = await sender.request(post(`http://127.0.0.1:${port}/`));
    expect(result).toMatchObject({ ok: false, errorCode: 'CONNREFUSED', message: 'connection refused' });
  });

  it('truncates a big body to 4096 bytes without splitting a character', async () => {
    server = await startServer((_req, res) => res.end('é'.repeat(100_000)));
    const result = expectOk(await sender.request(post(server.url)));
    expect(Buffer.byteLength(result.body)).toBe(4096);
    expect(result.body).toBe('é'.repeat(2048));
    expect(result.truncated).toBe(true);
    // the socket was drained and stays usable
    expectOk(await sender.request(post(server.url)));
    expect(server.connections).toBe(1);
  });

  it('gives up (rather than drains) a huge body and keeps working', async () => {
    server = await startServer((_req, res) => res.end(Buffer.alloc(2 * 1024 * 1024, 'a')));
    const result = expectOk(await sender.request(post(server.url)));
    expect(result.body).toHaveLength(4096);
    expectOk(await sender.request(post(server.url)));
    expect(server.requests).toHaveLength(2);
  });

  it('stream() hands the body over while it arrives, then answers like request()', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 150).unref();
    });
    const seen: { text: string; at: number }[] = [];
    const started = Date.now();
    const result = expectOk(await sender.stream(post(server.url), (head) => (head.headers['content-type'] === 'text/event-stream' ? (text) => seen.push({ text, at: Date.now() }) : undefined)));
    expect(seen.map((s) => s.text).join('')).toBe('data: one\n\ndata: two\n\n');
    expect(seen[0].at - started).toBeLessThan(140); // the first piece came before the rest was written
    expect(result).toMatchObject({ status: 200, body: '', truncated: false });
  });

  it('stream() without a consumer reads the body as request() does', async () => {
    server = await startServer((_req, res) => res.writeHead(400).end('{"error":"no"}'));
    expect(expectOk(await sender.stream(post(server.url), () => undefined)).body).toBe('{"error":"no"}');
  });

  it('stream() stops at maxResponseBytes (closing the socket) and keeps the whole-exchange timeout', async () => {
    server = await startServer((req, res) => {
      res.writeHead(200);
      if (req.url === '/forever') {
        const timer = setInterval(() => res.write('x'.repeat(1000)), 5);
        res.on('close', () => clearInterval(timer));
      } else {
        res.write('partial');
      }
    });
    let got = 0;
    const big = expectOk(await sender.stream({ ...post(`${server.url}/forever`), maxStreamedBytes: 10_000 }, () => (t) => (got += t.length)));
    expect(big.truncated).toBe(true);
    expect(got).toBeLessThanOrEqual(10_000);
    expect(await sender.stream(post(server.url, 200), () => () => undefined)).toMatchObject({ ok: false, errorCode: 'TIMEOUT' });
  });

  it('reuses one keep-alive socket for sequential requests', async () => {
    server = await startServer((_req, res) => res.end('ok'));
    expectOk(await sender.request(post(server.url)));
    expectOk(await sender.request(post(server.url)));
    expect(server.requests).toHaveLength(2);
    expect(server.connections).toBe(1);
  });

  it('connects to the looked-up address but keeps the original Host header', async () => {
    server = await startServer((_req, res) => res.end('ok'));
    const named = new OutboundHttpClient({ allowPrivateNetworks: true, lookup: async () => ['127.0.0.1'] });
    try {
      expectOk(await named.request(post(`http://receiver.test:${server.port}/`)));
      expect(server.requests[0].headers.host).toBe(`receiver.test:${server.port}`);
    } finally {
      await named.close();
    }
  });

  it('reports DNS failures', async () => {
    server = await startServer((_req, res) => res.end());
    const failing = new OutboundHttpClient({
      allowPrivateNetworks: true,
      lookup: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    });
    try {
      expect(await failing.request(post('http://nowhere.invalid/'))).toMatchObject({
        ok: false,
        errorCode: 'DNS',
        message: 'url host "nowhere.invalid" could not be resolved (ENOTFOUND)',
      });
    } finally {
      await failing.close();
    }
  });

  it('reports a TLS failure when https meets a plain-HTTP server', async () => {
    server = await startServer((_req, res) => res.end());
    const result = await sender.request(post(`https://127.0.0.1:${server.port}/`));
    expect(result).toMatchObject({ ok: false, errorCode: 'TLS', message: expect.stringMatching(/^TLS error/) });
    if (!result.ok) expect(result.message).not.toContain(String(server.port));
  });

  it('rejects non-http URLs without throwing', async () => {
    server = await startServer((_req, res) => res.end());
    expect(await sender.request(post('ftp://127.0.0.1/'))).toMatchObject({
      ok: false,
      errorCode: 'INVALID_URL',
      message: 'url must use http or https (got "ftp:")',
    });
    expect(await sender.request(post(`http://user:pw@127.0.0.1:${server.port}/`))).toMatchObject({ ok: false, errorCode: 'INVALID_URL' });
    expect(server.requests).toHaveLength(0);
  });

  it('checkUrl allows loopback here but still refuses userinfo', async () => {
    server = await startServer((_req, res) => res.end());
    expect(await sender.checkUrl(`http://[::1]:${server.port}/v1`)).toBeUndefined();
    expect(await sender.checkUrl('https://user:pw@example.com/')).toEqual({
      code: 'INVALID_URL',
      detail: 'must not contain credentials (user:password@)',
    });
  });
});

describe('OutboundHttpClient (SSRF protection)', () => {
  let sender: OutboundHttpClient;
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer((_req, res) => res.end('should not happen'));
  });
  afterEach(async () => {
    await sender.close();
    await server.close();
  });

  it.each(['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]', '[::1]'])('blocks %s and sends nothing', async (host) => {
    sender = new OutboundHttpClient({ allowPrivateNetworks: false });
    const result = await sender.request(post(`http://${host}:${server.port}/`));
    expect(result).toMatchObject({ ok: false, errorCode: 'SSRF_BLOCKED', message: expect.stringMatching(/^url resolves to a private or reserved address \(loopback/) });
    expect(server.connections).toBe(0);
    expect(server.requests).toHaveLength(0);
  });

  it('answers the same for an open and a closed private port', async () => {
    sender = new OutboundHttpClient({ allowPrivateNetworks: false });
    const probe = new OutboundHttpClient({ allowPrivateNetworks: true });
    const closed = await startServer((_req, res) => res.end());
    const closedPort = closed.port;
    await closed.close();
    try {
      // control: the ports really differ when nothing blocks them
      expect(await probe.request(post(`http://127.0.0.1:${closedPort}/`))).toMatchObject({ ok: false, errorCode: 'CONNREFUSED' });
      expect(await probe.request(post(`http://127.0.0.1:${server.port}/`))).toMatchObject({ ok: true });
      const strip = (r: OutboundResult) => ({ ...r, durationMs: 0 });
      const open = await sender.request(post(`http://127.0.0.1:${server.port}/`));
      const shut = await sender.request(post(`http://127.0.0.1:${closedPort}/`));
      expect(strip(open)).toEqual(strip(shut));
      expect(server.requests).toHaveLength(1); // only the probe's
    } finally {
      await probe.close();
    }
  });

  it.each([
    ['http://127.0.0.1:8080/', 'SSRF_BLOCKED', 'resolves to a private or reserved address (loopback)'],
    ['http://[2002:7f00:1::]/', 'SSRF_BLOCKED', 'resolves to a private or reserved address (6to4)'],
    ['http://[2001::7f00:1]/', 'SSRF_BLOCKED', 'resolves to a private or reserved address (Teredo)'],
    ['http://[64:ff9b:1::1]/', 'SSRF_BLOCKED', 'resolves to a private or reserved address (local-use NAT64)'],
    ['https://192.88.99.1/', 'SSRF_BLOCKED', 'resolves to a private or reserved address (6to4 relay anycast)'],
    ['https://a:b@example.com/', 'INVALID_URL', 'must not contain credentials (user:password@)'],
  ])('checkUrl refuses %s', async (url, code, detail) => {
    sender = new OutboundHttpClient({ allowPrivateNetworks: false, lookup: async () => ['93.184.216.34'] });
    expect(await sender.checkUrl(url)).toEqual({ code, detail });
  });

  it('checkUrl accepts a name resolving to public addresses', async () => {
    sender = new OutboundHttpClient({ allowPrivateNetworks: false, lookup: async () => ['93.184.216.34'] });
    expect(await sender.checkUrl('https://api.example.com/v1')).toBeUndefined();
  });

  it('checks the address at connect time (DNS rebinding)', async () => {
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    let calls = 0;
    const lookup = async () => answers[Math.min(calls++, 1)];
    // pre-flight validation would see a public address …
    await expect(assertPublicUrl('http://rebind.test/', { allowPrivate: false, lookup })).resolves.toBeUndefined();
    // … but the connection resolves again and is refused
    sender = new OutboundHttpClient({ allowPrivateNetworks: false, lookup });
    expect(await sender.request(post(`http://rebind.test:${server.port}/`))).toMatchObject({ ok: false, errorCode: 'SSRF_BLOCKED' });
    expect(server.connections).toBe(0);
  });
});


import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { PlatformFileFetcher } from './platform-file-fetcher';

describe('PlatformFileFetcher', () => {
  let server: Server;
  let url: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void;
  const seen: { url?: string; authorization?: string }[] = [];
  const fetcher = new PlatformFileFetcher();

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization });
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await fetcher.onModuleDestroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => (seen.length = 0));

  it('returns the bytes and content type within the cap', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([1, 2, 3]));
    const r = await fetcher.get(`${url}/f`, { headers: { authorization: 'Bearer t' }, maxBytes: 10, timeoutMs: 2000 });
    expect(r).toEqual({ ok: true, status: 200, contentType: 'image/png', data: Buffer.from([1, 2, 3]) });
    expect(seen[0].authorization).toBe('Bearer t');
  });

  it('stops reading a chunked body (no content-length) once it passes the cap', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(1024, 0x61);
      let n = 0;
      const write = (): void => {
        if (res.destroyed || n++ > 1000) return void res.end();
        if (res.write(chunk)) setImmediate(write);
        else res.once('drain', write);
      };
      write();
    };
    expect(await fetcher.get(`${url}/big`, { maxBytes: 4096, timeoutMs: 5000 })).toEqual({ ok: false, tooLarge: true });
  });

  it('refuses a declared content-length over the cap without reading', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-length': '100000' }).end(Buffer.alloc(100000));
    expect(await fetcher.get(`${url}/declared`, { maxBytes: 10, timeoutMs: 2000 })).toEqual({ ok: false, tooLarge: true });
  });

  it('does not follow redirects (a token never travels on)', async () => {
    handler = (req, res) => (req.url === '/moved' ? res.writeHead(302, { location: `${url}/elsewhere` }).end() : res.writeHead(200).end('x'));
    const r = await fetcher.get(`${url}/moved`, { headers: { authorization: 'Bearer t' }, maxBytes: 10, timeoutMs: 2000 });
    expect(r).toMatchObject({ ok: true, status: 302 });
    expect(seen.map((s) => s.url)).toEqual(['/moved']);
  });

  it('reports a timeout and an unreachable host by code only', async () => {
    handler = () => undefined; // never answers
    expect(await fetcher.get(`${url}/slow`, { maxBytes: 10, timeoutMs: 200 })).toEqual({ ok: false, errorCode: 'TIMEOUT' });
    expect(await fetcher.get('not a url', { maxBytes: 10, timeoutMs: 200 })).toEqual({ ok: false, errorCode: 'INVALID_URL' });
  });
});

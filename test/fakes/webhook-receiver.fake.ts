import { FakeHttpServer, FakeHttpServerOptions, FakeResponse, RecordedCall } from './fake-http-server';

export type ReceiverHandler = (call: RecordedCall) => FakeResponse | Promise<FakeResponse>;

/**
 * Generic HTTP endpoint (signed-webhook receiver, `http` agent runtime, …): accepts any method and path,
 * records it and answers with `handler(call)` if set, else the `respondWith` default (200 `{ ok: true }`).
 */
export class FakeWebhookReceiver extends FakeHttpServer {
  handler?: ReceiverHandler;
  private defaultResponse: FakeResponse = { status: 200, body: { ok: true } };
  private scripts = new Map<string, FakeResponse[]>();
  private pathDefaults = new Map<string, FakeResponse>();
  private holds = new Map<string, { release: Promise<void> }>();

  constructor(options?: FakeHttpServerOptions & { handler?: ReceiverHandler }) {
    super(options);
    this.handler = options?.handler;
  }

  /** Sets the default response for requests not handled by `failNext` or `handler`. */
  respondWith(status: number, body?: unknown, headers?: Record<string, string>): this {
    this.defaultResponse = { status, body, headers };
    return this;
  }

  /** The next requests to `path` get these responses, in order; then the path's default applies. */
  script(path: string, ...responses: FakeResponse[]): this {
    this.scripts.set(path, [...(this.scripts.get(path) ?? []), ...responses]);
    return this;
  }

  /** Default response for one path (e.g. always 500), until changed. */
  respondOn(path: string, status: number, body?: unknown, headers?: Record<string, string>): this {
    this.pathDefaults.set(path, { status, body, headers });
    return this;
  }

  /** Requests to `path` are held (no response) until the returned function is called. */
  hold(path: string): () => void {
    let release!: () => void;
    this.holds.set(path, { release: new Promise<void>((r) => (release = r)) });
    return () => {
      this.holds.delete(path);
      release();
    };
  }

  /** Full URL for a path on this receiver, e.g. `fake.urlFor('/hooks/a')`. */
  urlFor(path: string): string {
    return `${this.url}${path.startsWith('/') ? path : `/${path}`}`;
  }

  protected nameOf(call: RecordedCall): string {
    return call.path;
  }

  protected override matchesName(call: RecordedCall, name: string): boolean {
    return call.path.includes(name);
  }

  protected async handle(call: RecordedCall): Promise<FakeResponse> {
    const held = this.holds.get(call.path);
    if (held) await Promise.race([held.release, this.sleep(600_000)]);
    const scripted = this.scripts.get(call.path);
    if (scripted?.length) return scripted.shift() as FakeResponse;
    const byPath = this.pathDefaults.get(call.path);
    if (byPath) return byPath;
    return this.handler ? this.handler(call) : this.defaultResponse;
  }
}

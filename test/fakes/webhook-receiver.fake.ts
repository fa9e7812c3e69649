import { FakeHttpServer, FakeHttpServerOptions, FakeResponse, RecordedCall } from './fake-http-server';

export type ReceiverHandler = (call: RecordedCall) => FakeResponse | Promise<FakeResponse>;

/**
 * Generic HTTP endpoint (signed-webhook receiver, `http` agent runtime, …): accepts any method and path,
 * records it and answers with `handler(call)` if set, else the `respondWith` default (200 `{ ok: true }`).
 */
export class FakeWebhookReceiver extends FakeHttpServer {
  handler?: ReceiverHandler;
  private defaultResponse: FakeResponse = { status: 200, body: { ok: true } };

  constructor(options?: FakeHttpServerOptions & { handler?: ReceiverHandler }) {
    super(options);
    this.handler = options?.handler;
  }

  /** Sets the default response for requests not handled by `failNext` or `handler`. */
  respondWith(status: number, body?: unknown, headers?: Record<string, string>): this {
    this.defaultResponse = { status, body, headers };
    return this;
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

  protected handle(call: RecordedCall): FakeResponse | Promise<FakeResponse> {
    return this.handler ? this.handler(call) : this.defaultResponse;
  }
}

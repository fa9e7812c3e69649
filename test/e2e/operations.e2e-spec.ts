import { createTestApp, TestApp } from '../utils/test-app';

describe('operations (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('health: live and ready (PostgreSQL + Redis) without a token', async () => {
    await t.http().get('/health/live').expect(200, { status: 'ok' });
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
  });

  it('serves OpenAPI at /docs-json built from the DTOs, and the UI at /docs', async () => {
    const doc = await t.http().get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/auth/login', '/v1/teams/{teamId}/agents']));
    expect(doc.body.components.schemas.LoginDto.required).toEqual(expect.arrayContaining(['email', 'password']));
    await t.http().get('/docs').expect(200);
  });

  it('exposes Prometheus metrics with the HTTP latency histogram', async () => {
    await t.http().get('/health/live').expect(200);
    const res = await t.http().get('/metrics').expect(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\}/);
    expect(res.text).toMatch(/queue_jobs\{queue="inbound",state="waiting"\} \d+/);
    expect(res.text).toMatch(/queue_jobs\{queue="inbound",state="wakeups"\} \d+/);
  });

  it('every route not marked public needs a token; errors share one shape with a request id', async () => {
    const res = await t.http().get('/v1/teams').set('x-request-id', 'req-123').expect(401);
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', code: 'UNAUTHORIZED', message: expect.any(String), requestId: 'req-123' });
    const missing = await t.http().get('/v1/nothing-here').expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND', requestId: expect.any(String) });
  });

  it('malformed JSON is a 400 with a clear message', async () => {
    const res = await t.http().post('/v1/auth/login').set('content-type', 'application/json').send('{"email": ').expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'Request body is not valid JSON' });
  });
});

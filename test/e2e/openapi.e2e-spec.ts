import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { ConnectorRegistry } from '../../src/connections/connector-registry';
import { createTestApp, TestApp } from '../utils/test-app';

type Operation = {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { content?: { 'application/json'?: { schema?: { $ref?: string } } } }>;
};
type Doc = {
  servers: { url: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { enum?: string[]; properties?: Record<string, { type?: string; items?: unknown }> }> };
};

const REPO = join(__dirname, '../..');
/**
 * openapi-typescript's programmatic API, in a plain Node process: it loads ESM-only helpers that Node ≥ 20.19 can
 * require but Jest's module loader cannot.
 */
const GENERATE = `
const { readFileSync, writeFileSync } = require('node:fs');
const { default: openapiTS, astToString } = require('openapi-typescript');
openapiTS(JSON.parse(readFileSync(process.argv[1], 'utf8'))).then((ast) => writeFileSync(process.argv[2], astToString(ast)));
`;

/** A small program written against the generated types, as an API client would be. */
const CLIENT = `
import type { components, paths } from './schema';

type LoginBody = paths['/v1/auth/login']['post']['requestBody']['content']['application/json'];
type LoginOk = paths['/v1/auth/login']['post']['responses'][200]['content']['application/json'];
type Failure = components['schemas']['ErrorResponse'];
type Created = paths['/v1/teams/{teamId}/agents/{agentId}/connections']['post']['responses'][201]['content']['application/json'];
type Platform = components['schemas']['Platform'];
type AgentPage = paths['/v1/teams/{teamId}/agents']['get']['responses'][200]['content']['application/json'];
type EndpointPatch = paths['/v1/teams/{teamId}/webhooks/{endpointId}']['patch']['requestBody']['content']['application/json'];
type Accepted = paths['/v1/invitations/{token}/accept']['post']['responses'][201]['content']['application/json'];

export async function login(base: string, body: LoginBody): Promise<string> {
  const res = await fetch(base + '/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) {
    const e = (await res.json()) as Failure;
    const fields: string[] = (e.details ?? []).map((d) => d.field);
    throw new Error(e.statusCode + ' ' + e.message + ' ' + fields.join(',') + ' (request ' + e.requestId + ')');
  }
  const ok = (await res.json()) as LoginOk;
  const seconds: number = ok.expiresIn;
  // @ts-expect-error the login answer has no refresh token
  void ok.refreshToken;
  return ok.tokenType + ' ' + ok.accessToken + ' ' + seconds;
}

export function describeConnection(c: Created): string {
  const platforms: Platform[] = ['telegram', 'slack', 'github'];
  // @ts-expect-error only implemented platforms are offered
  const refused: Platform = 'discord';
  const name: string | null = c.displayName;
  return [platforms.includes(c.platform), refused, name, c.status, c.setup?.webhookUrl ?? c.setup?.note].join(' ');
}

export function agentNames(page: AgentPage): string[] {
  const next: string | null = page.nextCursor;
  return page.data.map((a) => a.name + ' ' + a.runtime.type + ' ' + (a.description ?? '') + ' ' + next);
}

export const clearDescription: EndpointPatch = { description: null, eventTypes: null, enabled: true };

export function joined(a: Accepted): string {
  // session only comes with an account created by the call
  const bearer: string | undefined = a.session?.accessToken;
  // @ts-expect-error session may be absent
  const always: string = a.session.accessToken;
  return [a.team.name, a.team.role, a.member.userId, bearer, always].join(' ');
}
`;

function typeErrors(dir: string, file: string): string[] {
  const program = ts.createProgram([join(dir, file)], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: ['node'],
    typeRoots: [join(REPO, 'node_modules/@types')],
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName.split('/').pop() ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('OpenAPI document (e2e)', () => {
  let t: TestApp;
  let doc: Doc;
  beforeAll(async () => {
    t = await createTestApp({ env: { PUBLIC_BASE_URL: 'https://sb.example.com', TELEGRAM_POLL_SCAN_MS: '0' } });
    doc = (await t.http().get('/docs-json').expect(200)).body as Doc;
  });
  afterAll(() => t.close());

  it('every operation has a summary, a declared tag, security, its success schema, a 4xx and the ErrorResponse on every error', () => {
    const declaredTags = new Set(doc.tags.filter((tag) => tag.description).map((tag) => tag.name));
    const problems: string[] = [];
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        operations++;
        const at = `${method.toUpperCase()} ${path}`;
        if (!op.summary) problems.push(`${at}: no summary`);
        if (!op.tags?.length) problems.push(`${at}: no tag`);
        for (const tag of op.tags ?? []) if (!declaredTags.has(tag)) problems.push(`${at}: tag ${tag} is not declared with a description`);
        if (!Array.isArray(op.security)) problems.push(`${at}: no security`);
        const statuses = Object.keys(op.responses);
        const ok = statuses.filter((s) => /^2/.test(s));
        if (!ok.length) problems.push(`${at}: no success response`);
        for (const s of ok) if (s !== '204' && !op.responses[s].content?.['application/json']?.schema) problems.push(`${at}: ${s} has no schema`);
        if (!statuses.includes('500')) problems.push(`${at}: 500 is not documented`);
        // Redocly's operation-4xx-response: only the health probes have no client error
        if (!path.startsWith('/health/') && !statuses.some((x) => /^4/.test(x))) problems.push(`${at}: no 4xx is documented`);
        for (const s of statuses.filter((x) => /^[45]/.test(x))) {
          // readiness answers 503 with terminus' report naming each dependency, not an error body
          if (at === 'GET /health/ready' && s === '503') {
            if (!(op.responses[s].content?.['application/json']?.schema as { properties?: Record<string, unknown> } | undefined)?.properties?.error) problems.push(`${at}: 503 does not describe the failed checks`);
            continue;
          }
          if (op.responses[s].content?.['application/json']?.schema?.$ref !== '#/components/schemas/ErrorResponse') problems.push(`${at}: ${s} is not an ErrorResponse`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(operations).toBeGreaterThanOrEqual(48);
    // only login and the health probes are open
    const open = Object.entries(doc.paths).flatMap(([p, item]) => Object.entries(item).filter(([, op]) => op.security?.length === 0).map(([m]) => `${m} ${p}`));
    expect(open.sort()).toEqual(['get /health/live', 'get /health/ready', 'post /v1/auth/login']);
    // @OptionalAuth() routes take a bearer token or none: the empty requirement is OpenAPI's "no authentication"
    const optional = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.entries(item).filter(([, op]) => (op.security?.length ?? 0) > 0 && op.security?.some((r) => Object.keys(r as object).length === 0)).map(([m]) => `${m} ${p}`),
    );
    expect(optional).toEqual(['post /v1/invitations/{token}/accept']);
    expect(doc.paths['/v1/invitations/{token}/accept'].post.security).toEqual([{ bearer: [] }, {}]);
  });

  it('servers come from PUBLIC_BASE_URL; platforms from the registered connectors; nullable fields keep their types', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: 'https://sb.example.com' })]);
    const registered = t.app.get(ConnectorRegistry).platforms();
    expect(doc.components.schemas.Platform.enum?.sort()).toEqual([...registered].sort());
    expect(doc.components.schemas.Platform.enum).not.toContain('discord');
    const patch = doc.components.schemas.UpdateWebhookEndpointDto.properties ?? {};
    expect(patch.description).toMatchObject({ type: 'string', nullable: true });
    expect(patch.eventTypes).toMatchObject({ type: 'array', nullable: true, items: { type: 'string' } });
  });

  it('/docs serves the UI with assets that load; /docs/ and /docs/index.html redirect to /docs', async () => {
    const page = await t.http().get('/docs').expect(200);
    const assets = [...page.text.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => new URL(m[1], 'http://x/docs').pathname);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const a of assets) expect([a, (await t.http().get(a)).status]).toEqual([a, 200]);
    await t.http().get('/docs/').expect(301).expect('location', '/docs');
    await t.http().get('/docs/index.html?x=1').expect(301).expect('location', '/docs?x=1');
  });

  it('openapi-typescript makes a typed client from /docs-json, and a script using it type-checks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-openapi-client-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
      await promisify(execFile)(process.execPath, ['-e', GENERATE, join(dir, 'openapi.json'), join(dir, 'schema.ts')], { cwd: REPO });
      writeFileSync(join(dir, 'client.ts'), CLIENT);
      expect(typeErrors(dir, 'client.ts')).toEqual([]);
      // the check can fail: a field the document does not promise is a type error
      writeFileSync(join(dir, 'wrong.ts'), `import type { components } from './schema';\nexport const t = (r: components['schemas']['TokenResponse']): string => r.refreshToken;\n`);
      expect(typeErrors(dir, 'wrong.ts')).toEqual([expect.stringContaining("Property 'refreshToken' does not exist")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

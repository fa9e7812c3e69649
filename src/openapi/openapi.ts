import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { ConnectorRegistry } from '../connections/connector-registry';
import { API_PLATFORM } from '../conversations/dto/conversation.dto';
import { PLATFORMS } from '../integrations';

export const DOCS_PATH = '/docs';
export const DOCS_JSON_PATH = '/docs-json';
/** Operations of routes marked @Public() carry this extension until the document is finished (then `security: []`). */
export const PUBLIC_EXTENSION = 'x-public';
/** The component schema every platform enum refers to; filled from the connector registry. */
export const PLATFORM_SCHEMA = 'Platform';
/** The conversation list's platform filter: the registered platforms and `api`. */
const CONVERSATION_PLATFORM_SCHEMA = 'ConversationPlatform';

const TAGS: [string, string][] = [
  ['auth', 'Log in and see who you are'],
  ['teams', 'Teams and their members (owners and admins manage, members read)'],
  ['invitations', 'Inviting people to a team by email (owners and admins) and accepting with the one-time token'],
  ['api-keys', "A team's API keys (`Authorization: Bearer sb_…`): scoped read/write/admin, shown once, stored hashed, revocable, rate-limited"],
  ['audit', 'The audit log: every change made through the API or the CLI, who made it, before and after (no secrets)'],
  ['agents', 'Agents and how they answer (runtimes)'],
  ['connections', 'Platform connections of an agent; credentials are write-only'],
  // then each platform's own tag (src/integrations/<name>/<name>.platform.ts)
  ['conversations', 'Conversations, messages, and trying an agent without a platform'],
  ['jobs', "Scheduled agent jobs: a prompt on a cron schedule, its result sent to a chat; run now; each run's outcome"],
  ['webhooks', 'Outbound webhook endpoints, the delivery log, replay and recovery'],
  ['notifications', "Notifications for a team's owners and admins"],
  ['health', 'Liveness and readiness probes'],
];

type Operation = Record<string, unknown> & { security?: unknown[]; parameters?: Parameter[] };
type Parameter = { in?: string; name?: string; schema?: Record<string, unknown> };

/**
 * The OpenAPI document of the running app: built from the controllers' decorators, then finished with what only the
 * running app knows — the public address (`servers` from PUBLIC_BASE_URL), the platforms that are implemented (the
 * connector registry, so an enum never offers a platform the API refuses) and the security of each operation
 * (bearer JWT; none for @Public() routes; either for @OptionalAuth() routes, which carry ApiOptionalBearerAuth()).
 * Call it after the app is initialized (connectors register at init).
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = app.get(AppConfig);
  const platforms = app.get(ConnectorRegistry).platforms();
  if (!platforms.length) throw new Error('no platform connector is registered: build the OpenAPI document after app.init()');
  const builder = new DocumentBuilder()
    .setTitle('Switchboard API')
    .setDescription(
      "Team admin API: teams, members, agents, platform connections, conversations, outbound webhooks, API keys, the audit log. Errors share one body (`ErrorResponse`); lists answer `{data, nextCursor}` and take `limit` and `cursor`. A team you do not belong to answers 404 everywhere.",
    )
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer(config.publicBaseUrl, 'This deployment (PUBLIC_BASE_URL)')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: '`accessToken` from POST /v1/auth/login, or a team API key `sb_…` (only on /v1/teams/{teamId}/… routes of its team, within its scopes; 429 with Retry-After past API_KEY_RATE_LIMIT per minute)' }, 'bearer');
  const platformTags = PLATFORMS.flatMap((p): [string, string][] => (p.apiTag ? [[p.apiTag.name, p.apiTag.description]] : []));
  const connections = TAGS.findIndex(([name]) => name === 'connections') + 1;
  for (const [name, description] of [...TAGS.slice(0, connections), ...platformTags, ...TAGS.slice(connections)]) builder.addTag(name, description);
  const doc = SwaggerModule.createDocument(app, builder.build());

  const schemas = doc.components?.schemas ?? {};
  if (schemas[PLATFORM_SCHEMA]) schemas[PLATFORM_SCHEMA] = { type: 'string', enum: platforms, description: 'A platform Switchboard connects agents to' };
  if (schemas[CONVERSATION_PLATFORM_SCHEMA]) {
    const description = `A platform, or \`${API_PLATFORM}\` for conversations started through POST …/chat`;
    schemas[CONVERSATION_PLATFORM_SCHEMA] = { type: 'string', enum: [...platforms, API_PLATFORM], description };
  }

  describeConnectionFields(schemas.CreateConnectionDto);
  describeSetupFields(schemas.ConnectionSetupResponse);

  flattenLoneAllOf(doc);
  for (const item of Object.values(doc.paths)) {
    for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
      if (!['get', 'put', 'post', 'delete', 'patch', 'options', 'head'].includes(method)) continue;
      // every `…Id` path parameter is a UUID (IdParam answers 404 for anything else)
      for (const p of op.parameters ?? []) if (p.in === 'path' && p.name?.endsWith('Id') && p.schema?.type === 'string') p.schema.format = 'uuid';
      if (op[PUBLIC_EXTENSION]) {
        op.security = [];
        delete op[PUBLIC_EXTENSION];
      } else if (!op.security?.length) {
        op.security = [{ bearer: [] }];
      }
    }
  }
  return doc;
}

/** What each platform's `credentials` and `settings` hold, from its definition (src/integrations/<name>/<name>.platform.ts). */
function describeConnectionFields(schema: unknown): void {
  const props = (schema as { properties?: Record<string, { description?: string }> } | undefined)?.properties;
  if (!props?.credentials || !props.settings) return;
  props.credentials.description = `Write-only. ${PLATFORMS.map((p) => `${p.name}: ${p.docs.credentials}`).join('; ')}`;
  const settings = PLATFORMS.filter((p) => p.docs.settings).map((p) => `${p.name}: ${p.docs.settings}`);
  props.settings.description = `Non-secret, per-platform options. ${settings.join('; ')}`;
}

/**
 * The connection `setup` response: `mode`'s values and description, then each platform's own fields, from the
 * definitions (docs.setup), in the order of PLATFORMS.
 */
function describeSetupFields(schema: unknown): void {
  const props = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!props) return;
  const modes = PLATFORMS.flatMap((p) => (p.docs.setup?.modes ? [p.docs.setup.modes] : []));
  if (props.mode && modes.length) {
    props.mode = { type: 'string', enum: modes.flatMap((m) => m.values), description: `How events reach us — ${modes.map((m) => m.description).join('; ')}` };
  }
  for (const p of PLATFORMS) Object.assign(props, p.docs.setup?.fields ?? {});
}

/** `{allOf: [X]}` with nothing beside it is just X (the generator wraps every enum reference that way). */
function flattenLoneAllOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(flattenLoneAllOf);
  if (typeof node !== 'object' || node === null) return node;
  const obj = node as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) obj[k] = flattenLoneAllOf(v);
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === 'allOf' && Array.isArray(obj.allOf) && obj.allOf.length === 1) return obj.allOf[0];
  return obj;
}

/**
 * Serves the UI at /docs and the document at /docs-json. `/docs/` (trailing slash) redirects to `/docs`, the one
 * address the UI's relative asset URLs are written for.
 */
export function setupOpenApi(app: INestApplication): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path !== `${DOCS_PATH}/` && req.path !== `${DOCS_PATH}/index.html`) return next();
    const q = req.originalUrl.indexOf('?');
    res.redirect(301, `${DOCS_PATH}${q >= 0 ? req.originalUrl.slice(q) : ''}`);
  });
  SwaggerModule.setup(DOCS_PATH, app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: DOCS_JSON_PATH,
    customSiteTitle: 'Switchboard API',
  });
}

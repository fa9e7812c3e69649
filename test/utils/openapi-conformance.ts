/** The subset of an OpenAPI 3.0 document this checker reads. */
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}
interface Operation {
  operationId?: string;
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks real responses against the document: the operation must exist, must document the status, and the body must
 * match the documented schema strictly — an object schema with `properties` and no `additionalProperties` is closed,
 * so a field the API returns but the document does not name is reported too.
 */
export class OpenApiConformance {
  /** `METHOD /template` → the statuses seen and checked. */
  readonly seen = new Map<string, Set<number>>();
  private readonly routes: { method: string; template: string; re: RegExp; literal: number }[] = [];

  constructor(private readonly doc: OpenApiDoc) {
    for (const [template, item] of Object.entries(doc.paths)) {
      const re = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^/}]+\}/g, '[^/]+')}$`);
      for (const method of Object.keys(item).filter((m) => METHODS.includes(m))) {
        this.routes.push({ method, template, re, literal: template.replace(/\{[^/}]+\}/g, '').length });
      }
    }
  }

  operations(): string[] {
    return this.routes.map((r) => `${r.method.toUpperCase()} ${r.template}`);
  }

  /** Problems of one response (empty when it conforms). */
  check(method: string, url: string, status: number, body: unknown): string[] {
    const path = url.split('?')[0];
    const route = this.routes
      .filter((r) => r.method === method.toLowerCase() && r.re.test(path))
      .sort((a, b) => b.literal - a.literal)[0];
    if (!route) return [`${method} ${path}: no such operation in the document`];
    const key = `${method.toUpperCase()} ${route.template}`;
    const seen = this.seen.get(key) ?? new Set<number>();
    seen.add(status);
    this.seen.set(key, seen);
    const response = this.doc.paths[route.template][route.method].responses?.[String(status)];
    if (!response) return [`${key}: status ${status} is not documented`];
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return status === 204 || body === '' || body === undefined || isEmptyObject(body) ? [] : [`${key} ${status}: a body came back but none is documented`];
    return this.validate(schema, body, `${key} ${status}`);
  }

  validate(schema: Schema, value: unknown, at: string): string[] {
    if (schema.$ref) return this.validate(this.resolve(schema.$ref), value, at);
    if (value === null) return schema.nullable ? [] : [`${at}: null is not allowed`];
    const problems: string[] = [];
    for (const part of schema.allOf ?? []) problems.push(...this.validate(part, value, at));
    const alternatives = schema.oneOf ?? schema.anyOf;
    if (alternatives && !alternatives.some((s) => this.validate(s, value, at).length === 0)) problems.push(`${at}: matches none of the alternatives`);
    if (schema.enum && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
    switch (schema.type) {
      case undefined:
        break;
      case 'string':
        if (typeof value !== 'string') return [...problems, `${at}: expected a string, got ${JSON.stringify(value)}`];
        if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) problems.push(`${at}: not a date-time`);
        if (schema.format === 'uuid' && !UUID.test(value)) problems.push(`${at}: not a UUID`);
        break;
      case 'integer':
        if (!Number.isInteger(value)) problems.push(`${at}: expected an integer, got ${JSON.stringify(value)}`);
        break;
      case 'number':
        if (typeof value !== 'number') problems.push(`${at}: expected a number, got ${JSON.stringify(value)}`);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') problems.push(`${at}: expected a boolean, got ${JSON.stringify(value)}`);
        break;
      case 'array':
        if (!Array.isArray(value)) return [...problems, `${at}: expected an array`];
        value.forEach((v, i) => problems.push(...(schema.items ? this.validate(schema.items, v, `${at}[${i}]`) : [])));
        break;
      case 'object':
        problems.push(...this.validateObject(schema, value, at));
        break;
      default:
        problems.push(`${at}: unknown schema type ${schema.type}`);
    }
    return problems;
  }

  private validateObject(schema: Schema, value: unknown, at: string): string[] {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: expected an object`];
    const obj = value as Record<string, unknown>;
    const problems = (schema.required ?? []).filter((k) => !(k in obj)).map((k) => `${at}: required field "${k}" is missing`);
    for (const [k, v] of Object.entries(obj)) {
      const prop = schema.properties?.[k];
      if (prop) problems.push(...this.validate(prop, v, `${at}.${k}`));
      else if (typeof schema.additionalProperties === 'object') problems.push(...this.validate(schema.additionalProperties, v, `${at}.${k}`));
      else if (schema.properties && schema.additionalProperties !== true) problems.push(`${at}: field "${k}" is not documented`);
    }
    return problems;
  }

  private resolve(ref: string): Schema {
    const name = ref.replace('#/components/schemas/', '');
    const schema = this.doc.components?.schemas?.[name];
    if (!schema) throw new Error(`unresolved $ref ${ref}`);
    return schema;
  }
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

export interface CredentialProblem {
  field: string;
  messages: string[];
}

/** Small shape checker for credentials/settings objects: unknown fields and bad values are named with their prefix. */
export class FieldChecker {
  readonly problems: CredentialProblem[] = [];

  constructor(
    private readonly prefix: string,
    private readonly input: Record<string, unknown>,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(input)) {
      if (!allowed.includes(key)) this.fail(key, `${prefix}.${key} is not a known field (allowed: ${allowed.join(', ') || 'none'})`);
    }
  }

  fail(field: string, message: string): void {
    this.problems.push({ field: `${this.prefix}.${field}`, messages: [message] });
  }

  /** A string (numbers are accepted and converted when `numeric`), optionally required and matching a pattern. */
  string(field: string, opts: { required?: boolean; pattern?: RegExp; hint?: string; numeric?: boolean; min?: number } = {}): string | undefined {
    let v = this.input[field];
    if (v === undefined || v === null || v === '') {
      if (opts.required) this.fail(field, `${this.prefix}.${field} is required`);
      return undefined;
    }
    if (opts.numeric && typeof v === 'number' && Number.isInteger(v)) v = String(v);
    if (typeof v !== 'string') {
      this.fail(field, `${this.prefix}.${field} must be a string`);
      return undefined;
    }
    const s = v.trim();
    if ((opts.pattern && !opts.pattern.test(s)) || (opts.min !== undefined && s.length < opts.min)) {
      this.fail(field, `${this.prefix}.${field} ${opts.hint ?? 'is not valid'}`);
      return undefined;
    }
    return s;
  }

  stringList(field: string, opts: { pattern?: RegExp; hint?: string; oneOf?: readonly string[] } = {}): string[] | undefined {
    const v = this.input[field];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      this.fail(field, `${this.prefix}.${field} must be an array of strings`);
      return undefined;
    }
    const bad = (v as string[]).filter((x) => (opts.pattern && !opts.pattern.test(x)) || (opts.oneOf && !opts.oneOf.includes(x)));
    if (bad.length) {
      this.fail(field, `${this.prefix}.${field} has invalid entries (${bad.join(', ')}): ${opts.hint ?? `expected one of ${opts.oneOf?.join(', ')}`}`);
      return undefined;
    }
    return [...new Set(v as string[])];
  }

  oneOf<T extends string>(field: string, values: readonly T[]): T | undefined {
    const v = this.input[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !values.includes(v as T)) {
      this.fail(field, `${this.prefix}.${field} must be one of: ${values.join(', ')}`);
      return undefined;
    }
    return v as T;
  }
}

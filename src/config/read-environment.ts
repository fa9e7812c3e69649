import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './load-config';

type Env = Record<string, string | undefined>;

/**
 * What the entry points (main, the CLI, the migration tools) pass to `loadConfig`: the variables of `.env` in the
 * working directory, if there is one, under the process environment, which wins. A missing `.env` is not an error.
 */
export function readEnvironment(file = '.env', environment: Env = process.env): Env {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') return { ...environment };
    throw new ConfigError([`.env: cannot read ${resolve(file)} (${code ?? (e as Error).message})`]);
  }
  return { ...parseEnv(text), ...environment };
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The `version` of Switchboard's package.json, found above this file (src/ in development, dist/src/ when built). */
export function appVersion(): string {
  if (cached) return cached;
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'switchboard') return (cached = pkg.version ?? 'unknown');
  }
  return (cached = 'unknown');
}

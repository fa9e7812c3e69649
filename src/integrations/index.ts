import type { BodyRoute } from '../common/body-parsers';
import { GITHUB } from './github/github.platform';
import { PlatformDefinition } from './platform-definition';
import { SLACK } from './slack/slack.platform';
import { TELEGRAM } from './telegram/telegram.platform';

/** The platforms of this build. Adding one: a folder under integrations/ with its `<name>.platform.ts`, and a line here. */
export const PLATFORMS: readonly PlatformDefinition[] = [TELEGRAM, SLACK, GITHUB];

/** pino redaction paths for the platforms' secret headers and credential fields (LoggingModule adds the common ones). */
export function platformRedactPaths(platforms: readonly PlatformDefinition[] = PLATFORMS): string[] {
  const headers = platforms.flatMap((p) => p.secretHeaders.map((h) => `req.headers["${h.toLowerCase()}"]`));
  const fields = platforms.flatMap((p) => p.secretFields.map((f) => `*.${f}`));
  return [...new Set([...headers, ...fields])];
}

/** Body rules for platforms whose webhooks send more than the default (placed before the common `/webhooks/` rule). */
export function platformBodyRoutes(platforms: readonly PlatformDefinition[] = PLATFORMS): BodyRoute[] {
  return platforms
    .filter((p) => p.maxBodyBytes !== undefined)
    .map((p) => ({ prefix: `/webhooks/${p.name}/`, limitBytes: p.maxBodyBytes as number, form: true, acceptsNul: true }));
}

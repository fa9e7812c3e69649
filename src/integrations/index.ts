import type { BodyRoute } from '../common/body-parsers';
import type { AppConfig } from '../config/app-config';
import type { PlatformConfigSpec } from '../config/platform-config';
import { GITHUB } from './github/github.platform';
import { PlatformDefinition } from './platform-definition';
import { SLACK } from './slack/slack.platform';
import { TELEGRAM } from './telegram/telegram.platform';

/** The platforms of this build. Adding one: a folder under integrations/ with its `<name>.platform.ts`, and a line here. */
export const PLATFORMS: readonly PlatformDefinition[] = [TELEGRAM, SLACK, GITHUB];

/** The platforms' environment variables, for `loadConfig(source, PLATFORM_CONFIGS)` in the entry points. */
export const PLATFORM_CONFIGS: readonly PlatformConfigSpec[] = PLATFORMS.flatMap((p) => (p.config ? [p.config] : []));

/** The startup line's features of the platforms' worker modules, when this process loads them (IntegrationsModule.forRoot). */
export function platformFeatures(config: AppConfig, platforms: readonly PlatformDefinition[] = PLATFORMS): string[] {
  if (!config.runsWorker || !config.integrations.enabled) return [];
  return platforms.flatMap((p) => (p.workerModule && p.workerFeatures ? p.workerFeatures(config) : []));
}

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

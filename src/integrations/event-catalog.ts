import { assembleEventCatalog } from '../events/event-catalog';
import type { EventTypeInfo } from '../events/event-type';
import { PLATFORMS } from './index';
import type { PlatformDefinition } from './platform-definition';

/** The platforms' own event types, in the order of PLATFORMS; each is named `<platform>.<event>`. */
export function platformEventTypes(platforms: readonly PlatformDefinition[] = PLATFORMS): EventTypeInfo[] {
  return platforms.flatMap((p) =>
    (p.eventTypes ?? []).map((e) => {
      if (!e.type.startsWith(`${p.name}.`)) throw new Error(`platform ${p.name} declares event type "${e.type}": its types are named "${p.name}.<event>"`);
      return e;
    }),
  );
}

/**
 * Every event type Switchboard can send to a team's webhook endpoints: the core types of `events/event-catalog.ts`
 * and each platform's own (`<name>.events.ts`, listed by its PlatformDefinition). It lives here, above both events/
 * and the platforms: `GET /v1/webhook-event-types` serves it, webhooks/' DTOs read it when they load (OpenAPI enums,
 * `eventTypes` validation), and app.module binds events/' `KnownEventTypes` port to its names, which `EventPublisher`
 * checks every published type against.
 */
export const EVENT_CATALOG: readonly EventTypeInfo[] = assembleEventCatalog(platformEventTypes());

export const EVENT_TYPES: readonly string[] = EVENT_CATALOG.map((e) => e.type);

/**
 * The port `EventPublisher` asks whether an event type exists before it writes anything. Owned here and bound by the
 * composition root (`EventTypesModule.forRoot` in app.module) to the assembled catalog of `src/integrations/
 * event-catalog.ts` — the core types of `event-catalog.ts` and every platform's `<name>.events.ts` — because events/
 * sits below integrations/ and cannot import a platform's list. An abstract class so that it is its own injection token.
 */
export abstract class KnownEventTypes {
  abstract has(type: string): boolean;
}

/** The binding for a list of type names. */
export function knownEventTypes(types: readonly string[]): KnownEventTypes {
  const set = new Set(types);
  return { has: (type) => set.has(type) };
}

/**
 * One outbound event type: what `GET /v1/webhook-event-types` lists and the `WebhookEventType` enum names. Core types
 * are in `event-catalog.ts`; a platform's own (e.g. `github.push`) in its `integrations/<name>/<name>.events.ts`, which
 * imports only this file. The assembled catalog is `src/integrations/event-catalog.ts`.
 */
export interface EventTypeInfo {
  type: string;
  description: string;
  /** Example of the envelope's `data` field. */
  example: Record<string, unknown>;
  /** Whether something publishes this type today. */
  emitted: boolean;
}

/** Ids and a time the catalog's examples share, so that the examples of related events read as one story. */
export const EXAMPLE_IDS = {
  agent: '5b0e7c52-8f0a-4d4e-9a55-3c1f2b7d9e10',
  conversation: '0d6f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
  connection: 'c7a1e2d3-4b5c-4d6e-8f70-9a1b2c3d4e5f',
  at: '2026-01-15T10:30:00.000Z',
} as const;

import type { Type } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import type { PlatformConfigSpec } from '../config/platform-config';
import type { EventTypeInfo } from '../events/event-type';

/**
 * What a platform tells the rest of the app before anything runs, in `src/integrations/<name>/<name>.platform.ts`:
 * its modules, and what must never reach a log line or is larger than the defaults. Registered by one line in
 * `src/integrations/index.ts`; everything else asks the ConnectorRegistry (filled at init by the platform's connector).
 */
export interface PlatformDefinition {
  /** The value stored in `platform_connection.platform`: the connector's `platform`. */
  readonly name: string;
  /** The platform's connector (registers itself at init), its inbound controller, its API client. */
  readonly module: Type;
  /** Worker-only work (e.g. polling), loaded when ROLE is worker or all and ENABLE_INTEGRATIONS=true. */
  readonly workerModule?: Type;
  /** What the worker module runs, as the startup line's "features on" names it (asked only when it is loaded). */
  readonly workerFeatures?: (config: AppConfig) => string[];
  /** The platform's own environment variables (`<name>.config.ts`): validated by loadConfig, read with `config.platform(spec)`. */
  readonly config?: PlatformConfigSpec;
  /** Request headers (lower case) that carry a secret or a signature: redacted in every log line. */
  readonly secretHeaders: readonly string[];
  /** Credential fields: redacted wherever they appear in a log line. */
  readonly secretFields: readonly string[];
  /** Largest request body the platform's webhooks accept, when above the default of 1 MB. */
  readonly maxBodyBytes?: number;
  /**
   * For the API document: the `credentials` and `settings` a connection of this platform takes, and what its connector's
   * `setupInstructions` answer adds to the `setup` response (ConnectionSetupResponse): its delivery modes, and its own
   * fields as OpenAPI schema objects (placed after `mode`, in the order of PLATFORMS).
   */
  readonly docs: { credentials: string; settings?: string; setup?: PlatformSetupDocs };
  /**
   * The outbound event types the platform publishes itself (`<name>.events.ts`, each named `<name>.<event>`, e.g.
   * `github.push`): part of the one event catalog (`src/integrations/event-catalog.ts`), after the core connection events.
   */
  readonly eventTypes?: readonly EventTypeInfo[];
  /** The OpenAPI tag of the platform's own admin routes, if it has any (e.g. GitHub's repository API). */
  readonly apiTag?: { name: string; description: string };
}

/** The `setup` response fields of one platform (see PlatformDefinition.docs). */
export interface PlatformSetupDocs {
  /** The values of `setup.mode` this platform answers, and how its part of the description reads (e.g. "Slack: …"). */
  readonly modes?: { readonly values: readonly string[]; readonly description: string };
  readonly fields?: Readonly<Record<string, Record<string, unknown>>>;
}

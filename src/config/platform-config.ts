/**
 * The environment variables one platform reads, declared in its own folder (`src/integrations/<name>/<name>.config.ts`)
 * and listed through its PlatformDefinition. `loadConfig(source, specs)` validates them at boot with the core variables
 * (one message per bad variable, naming it); services read the typed result with `config.platform(SPEC)`.
 */
export interface PlatformConfigSpec<S extends object = object, T = unknown> {
  /** The platform's name (as in its PlatformDefinition). */
  readonly platform: string;
  /**
   * A class-validator class like EnvSchema: one property per variable (named as the variable), the default as its
   * initializer, the rules as decorators. README's configuration table and .env.example list every one of them.
   */
  readonly schema: new () => S;
  /** The validated variables → the platform's typed settings. */
  build(env: S): T;
}

/** The variables a spec declares, with their defaults (for the docs check). */
export function declaredVariables(spec: PlatformConfigSpec): Record<string, unknown> {
  return { ...new spec.schema() };
}

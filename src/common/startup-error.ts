/**
 * Exit codes of `main.js` and the CLI (sysexits.h numbers), listed in README "Exit codes".
 * A supervisor can tell "fix the configuration" from "a dependency is down" without reading logs.
 */
export const ExitCode = {
  OK: 0,
  /** Anything unexpected (the stack trace is printed). */
  FAILURE: 1,
  /** CLI only: unknown command or bad options. */
  USAGE: 2,
  /** EX_UNAVAILABLE: PostgreSQL could not be reached (refused, unknown host, timed out, not accepting connections). */
  UNAVAILABLE: 69,
  /** EX_SOFTWARE: the build lacks a part the ROLE needs (a queue it runs has no processor registered). */
  SOFTWARE: 70,
  /** EX_TEMPFAIL: PORT is in use by another process; retrying later may succeed. */
  PORT_IN_USE: 75,
  /** EX_NOPERM: not allowed to listen on PORT (below 1024 without the privilege). */
  NO_PERMISSION: 77,
  /** EX_CONFIG: a bad or missing variable, or DATABASE_URL's credentials or role were rejected. */
  CONFIG: 78,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure an operator fixes outside the code: one line per problem, each naming the variable, and an exit code. */
export class StartupError extends Error {
  constructor(
    public readonly problems: string[],
    public readonly exitCode: ExitCode,
  ) {
    super(problems.join('\n'));
    this.name = new.target.name;
  }
}

/** Prints a StartupError as its lines (no stack) and exits with its code; anything else with its stack and 1. */
export function exitOnStartupFailure(e: unknown): never {
  if (e instanceof StartupError) {
    for (const line of e.problems) process.stderr.write(`${line}\n`);
    process.exit(e.exitCode);
  }
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(ExitCode.FAILURE);
}

/** The errno-style code of a socket error, also when Node wraps several attempts (IPv4 and IPv6) in an AggregateError. */
export function errorCode(e: unknown): string | undefined {
  const err = e as { code?: unknown; errors?: unknown[] } | null;
  if (typeof err?.code === 'string') return err.code;
  const first = Array.isArray(err?.errors) ? (err.errors[0] as { code?: unknown } | undefined) : undefined;
  return typeof first?.code === 'string' ? first.code : undefined;
}

/**
 * A local stand-in for an upstream service: start-dev runs it instead of the real service unless
 * the developer configured the real one. Each lives in its own module under dev/jobs/<domain>/.
 */
export interface StandIn {
  /** The service, as the banner names it (`espn`). */
  readonly name: string;
  /** Why the real service is used instead (its configuration is set), or undefined to start the stand-in. */
  realServiceReason(env: NodeJS.ProcessEnv): string | undefined;
  start(env: NodeJS.ProcessEnv): Promise<RunningStandIn>;
}

export interface RunningStandIn {
  /** The variables that point the worker at the stand-in. */
  readonly env: Readonly<Record<string, string>>;
  /** What runs where, for the banner. */
  readonly summary: string;
  close(): Promise<void>;
}

import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Targets } from '../db/targets.ts';
import type { Clients } from './clients.ts';
import type { SideEffects } from './side-effects.ts';

/** How pg-boss queues this job; every field maps to a pg-boss queue option of the same meaning. */
export interface QueueSettings {
  /** pg-boss policy: `standard` (default), `singleton` (one active), `stately` (one queued + one active), … */
  readonly policy?: 'standard' | 'short' | 'singleton' | 'stately' | 'exclusive';
  /** Retries after the first attempt. Default: 3. */
  readonly retryLimit?: number;
  /** First retry delay in seconds; doubled each retry with jitter. Default: 10. */
  readonly retryDelaySeconds?: number;
  /** Cap on the retry delay. Default: 600. */
  readonly retryDelayMaxSeconds?: number;
  /** How long one attempt may run before pg-boss expires it (and retries). Default: 900. */
  readonly expireInSeconds?: number;
  /** Jobs of this queue this process runs at once. Default: 1. */
  readonly localConcurrency?: number;
  /**
   * Jobs claimed per fetch (they run side by side, up to localConcurrency). A full batch makes the
   * worker fetch again at once, so a backlog drains at the queue's speed. Default: localConcurrency,
   * at least 2 (pg-boss never bursts on batches of 1).
   */
  readonly batchSize?: number;
}

/** A recurring run, registered only when CRON_ENABLED is true. */
export interface CronSchedule<Payload> {
  /** Five-field cron expression (or RRULE), evaluated in `tz`. */
  readonly expression: string;
  /** IANA time zone. Default: UTC. */
  readonly tz?: string;
  readonly payload: Payload;
}

/**
 * State a job saved during a failed attempt, handed to the next attempt: how a job avoids redoing
 * a side effect (an email already sent) when a later step of the same attempt failed.
 */
export interface Checkpoint {
  /** What the previous attempt saved, if anything. */
  readonly previous: Readonly<Record<string, unknown>> | undefined;
  /** Remember this for the next attempt should this one fail. */
  save(state: Record<string, unknown>): void;
}

/** Everything a job's `run` gets besides its payload. */
export interface JobContext {
  readonly jobId: string;
  readonly jobName: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /**
   * Fires on shutdown and before pg-boss's expiry: stop, the job will be retried. `targets` and the
   * upstream clients obey it already (queries are cancelled, requests aborted); pass it on to
   * anything else that waits.
   */
  readonly signal: AbortSignal;
  /** Child logger already carrying job name, id and attempt. */
  readonly log: Logger;
  readonly config: Config;
  /** The owner databases; their `db` obeys `signal`. */
  readonly targets: Targets;
  readonly clients: Clients;
  readonly checkpoint: Checkpoint;
  /** Effects that must happen at most once per job (an email sent), recorded durably. */
  readonly sideEffects: SideEffects;
  /** OpenTelemetry trace id of the run, when tracing is on. */
  readonly traceId: string | undefined;
  /**
   * The owner's `oban_jobs` row this job came from, when the inbox enqueued it (the payload
   * envelope's `obanJob`, see job-envelope.ts): which target's table, and the row's id.
   */
  readonly obanJob: { readonly target: 'production' | 'staging'; readonly id: number } | undefined;
}

/** One job: its name is a contract with the owner and never changes once shipped. */
export interface JobDefinition<Schema extends z.ZodType = z.ZodType, Result = unknown> {
  readonly name: string;
  /** One line for `enqueue --help` and the REPL. */
  readonly description: string;
  /** The single source for validation, the owner's TypeScript types and JSON Schema. */
  readonly payload: Schema;
  readonly queue: QueueSettings;
  readonly cron?: CronSchedule<z.input<Schema>>;
  run(payload: z.output<Schema>, ctx: JobContext): Promise<Result>;
}

/**
 * Identity function that keeps the payload type flowing into `run` and the cron payload, and the
 * name as its literal, so the typed client (src/client/enqueue.ts) finds each job's payload by name.
 */
export function defineJob<const Name extends string, Schema extends z.ZodType, Result>(
  definition: JobDefinition<Schema, Result> & { readonly name: Name },
): JobDefinition<Schema, Result> & { readonly name: Name } {
  return definition;
}

import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Targets } from '../db/targets.ts';
import type { Clients } from './clients.ts';
import type { Checkpoint, JobContext, JobDefinition } from './define-job.ts';
import { PermanentJobError, SnoozeJob, errorCode, serializeError } from './outcomes.ts';
import { parsePayload } from './payload.ts';
import { contextFromTraceContext, readEnvelope, splitEnvelope, type JobEnvelope } from './job-envelope.ts';
import type { SideEffectStore } from './side-effects.ts';
import { recordJobOutcome, recordJobWait, type JobOutcomeLabel } from '../telemetry/job-metrics.ts';

/** What every job run needs from the process; built once at start-up. */
export interface RunnerDeps {
  readonly config: Config;
  readonly targets: Targets;
  readonly clients: Clients;
  readonly log: Logger;
  /** Where jobs record their at-most-once side effects (the queue schema's side_effect table). */
  readonly sideEffects: SideEffectStore;
}

/** The attempt being run, as the queue (or an inline caller) knows it. */
export interface JobAttemptInfo {
  readonly id: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly signal: AbortSignal;
  /** What a previous failed attempt saved through ctx.checkpoint. */
  readonly previousCheckpoint?: Record<string, unknown> | undefined;
  /** Retries the queue still allows after this attempt; undefined when no queue runs it (inline). */
  readonly retriesLeft?: number | undefined;
  /** How long the job waited between becoming due and this attempt starting; undefined inline. */
  readonly waitMs?: number | undefined;
}

/** The metric outcome of a failed attempt: what stopped it, and what the queue will do next. */
function failureLabel(retryable: boolean, attemptInfo: JobAttemptInfo): JobOutcomeLabel {
  if (attemptInfo.signal.aborted) return 'cancelled';
  if (!retryable) return 'dead_lettered';
  if (attemptInfo.retriesLeft === undefined) return 'failed';
  return attemptInfo.retriesLeft > 0 ? 'retried' : 'dead_lettered';
}

/** How one attempt ended; the queue adapter maps each kind onto pg-boss. */
export type JobOutcome<Result> =
  | { readonly kind: 'completed'; readonly result: Result; readonly durationMs: number }
  | {
      readonly kind: 'failed';
      readonly error: unknown;
      /** false: never retry (bad payload, permanent upstream refusal): dead-letter at once. */
      readonly retryable: boolean;
      /** State to hand to the next attempt. */
      readonly checkpoint: Record<string, unknown> | undefined;
      readonly durationMs: number;
    }
  | { readonly kind: 'snoozed'; readonly seconds: number; readonly reason: string; readonly durationMs: number };

/**
 * Which owner database(s) a payload is about, for log lines: jobs name it `target` (one) or
 * `databaseScope` (a sync's scope); both default to production.
 */
function targetOf(rawPayload: unknown): string {
  if (rawPayload && typeof rawPayload === 'object') {
    const { target, databaseScope } = rawPayload as { target?: unknown; databaseScope?: unknown };
    if (typeof target === 'string') return target;
    if (typeof databaseScope === 'string') return databaseScope;
  }
  return 'production';
}

/** The scope of the job spans, beside the library instrumentations' scopes. */
const tracer = trace.getTracer('trademachine-worker');

/**
 * Starts the attempt's `job <name>` span. Its parent is the trace context the caller put in the
 * envelope; without one, a new root: pg-boss fetches jobs in batches and its `process` span is
 * shared by every job of the batch (and starts a trace of its own for a batch above one), so
 * parenting on it would give unrelated jobs one trace id. That span, when active, is linked instead.
 */
function startJobSpan(name: string, attemptInfo: JobAttemptInfo, target: string, envelope: JobEnvelope): { span: Span; parent: Context } {
  const parent = envelope.traceContext ? contextFromTraceContext(envelope.traceContext, ROOT_CONTEXT) : ROOT_CONTEXT;
  const span = tracer.startSpan(`job ${name}`, { kind: SpanKind.CONSUMER }, parent);
  // Attributes and the link only for a span that is recorded: with no exporter none is, and building
  // them per job showed in the bench's profile. (The samplers configured decide without attributes.)
  if (span.isRecording()) {
    const active = trace.getSpanContext(context.active());
    if (active && trace.isSpanContextValid(active)) span.addLink({ context: active });
    const attributes: Attributes = {
      'messaging.system': 'pg-boss',
      'messaging.destination.name': name,
      'job.name': name,
      'job.id': attemptInfo.id,
      'job.attempt': attemptInfo.attempt,
      'job.target': target,
      ...(envelope.obanJob ? { 'oban.job_id': envelope.obanJob.id, 'oban.target': envelope.obanJob.target } : {}),
    };
    span.setAttributes(attributes);
  }
  return { span, parent };
}

/** Marks the span with how the attempt ended; a failure is an error with its exception recorded. */
function endJobSpan(span: Span, outcome: Pick<JobOutcome<unknown>, 'kind'> & { readonly error?: unknown }): void {
  span.setAttribute('job.outcome', outcome.kind);
  if (outcome.kind === 'failed') {
    const error = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
    span.recordException(error);
    span.setAttribute('error.type', errorCode(outcome.error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}

/**
 * Runs one attempt of a job in its own span (see startJobSpan): takes the envelope off the
 * payload, validates the rest, builds the context, calls `run`, and turns whatever happened into
 * an outcome. The single place that logs, measures and traces every job.
 */
export async function executeJob<Result>(
  definition: JobDefinition<z.ZodType, Result>,
  rawPayload: unknown,
  deps: RunnerDeps,
  attemptInfo: JobAttemptInfo,
): Promise<JobOutcome<Result>> {
  const isObject = rawPayload !== null && typeof rawPayload === 'object' && !Array.isArray(rawPayload);
  const { fields, envelope: rawEnvelope } = isObject ? splitEnvelope(rawPayload as Record<string, unknown>) : { fields: rawPayload, envelope: {} };
  const { envelope, problems } = readEnvelope(rawEnvelope);
  const target = targetOf(rawPayload);
  const { span, parent } = startJobSpan(definition.name, attemptInfo, target, envelope);
  const spanContext = span.spanContext();
  const traced = trace.isSpanContextValid(spanContext);
  const log = deps.log.child({
    job: definition.name,
    jobId: attemptInfo.id,
    attempt: attemptInfo.attempt,
    target,
    ...(traced ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : {}),
  });
  if (problems.length > 0) log.warn({ problems }, 'envelope keys ignored: they do not validate');
  let outcome: JobOutcome<Result>;
  try {
    outcome = await context.with(trace.setSpan(parent, span), () =>
      attemptJob(definition, fields, deps, attemptInfo, { log, envelope, traceId: traced ? spanContext.traceId : undefined }),
    );
  } catch (error) {
    endJobSpan(span, { kind: 'failed', error });
    throw error;
  }
  endJobSpan(span, outcome);
  return outcome;
}

/** What executeJob prepared for the attempt: the job's logger and what the envelope and span say. */
interface AttemptSetup {
  readonly log: Logger;
  readonly envelope: JobEnvelope;
  readonly traceId: string | undefined;
}

/** The attempt itself, run inside the job span so every query and request nests under it. */
async function attemptJob<Result>(
  definition: JobDefinition<z.ZodType, Result>,
  rawPayload: unknown,
  deps: RunnerDeps,
  attemptInfo: JobAttemptInfo,
  { log, envelope, traceId }: AttemptSetup,
): Promise<JobOutcome<Result>> {
  const started = performance.now();
  let saved: Record<string, unknown> | undefined = attemptInfo.previousCheckpoint;
  const checkpoint: Checkpoint = {
    previous: attemptInfo.previousCheckpoint,
    save: (state) => {
      saved = { ...saved, ...state };
    },
  };
  const elapsed = () => Math.round(performance.now() - started);
  log.info('job started');
  if (attemptInfo.waitMs !== undefined) recordJobWait(definition.name, attemptInfo.waitMs);
  try {
    const payload = parsePayload(definition, rawPayload, { maxBytes: deps.config.maxPayloadBytes });
    const signal = attemptInfo.signal;
    const ctx: JobContext = {
      jobId: attemptInfo.id,
      jobName: definition.name,
      attempt: attemptInfo.attempt,
      signal,
      log,
      config: deps.config,
      targets: deps.targets.forSignal(signal),
      clients: deps.clients,
      checkpoint,
      sideEffects: deps.sideEffects.forJob({ name: definition.name, id: attemptInfo.id, signal, log }),
      traceId,
      obanJob: envelope.obanJob,
    };
    const result = await definition.run(payload, ctx);
    const outcome = { kind: 'completed', result, durationMs: elapsed() } as const;
    log.info({ durationMs: outcome.durationMs, result }, 'job completed');
    recordJobOutcome(definition.name, 'completed', outcome.durationMs);
    return outcome;
  } catch (error) {
    const durationMs = elapsed();
    if (error instanceof SnoozeJob) {
      log.info({ durationMs, snoozeSeconds: error.seconds, reason: error.message }, 'job snoozed');
      recordJobOutcome(definition.name, 'snoozed', durationMs);
      return { kind: 'snoozed', seconds: error.seconds, reason: error.message, durationMs };
    }
    const retryable = !(error instanceof PermanentJobError);
    const outcome = failureLabel(retryable, attemptInfo);
    log.error({ durationMs, err: error, code: errorCode(error), retryable, outcome }, retryable ? 'job failed' : 'job failed permanently');
    recordJobOutcome(definition.name, outcome, durationMs);
    return { kind: 'failed', error, retryable, checkpoint: saved, durationMs };
  }
}

/**
 * Runs a job now, in this process, with the real context and no queue: for the REPL's `runNow`,
 * scripts and tests. Returns the result or throws the job's error.
 */
export async function runJobInline<Result>(
  definition: JobDefinition<z.ZodType, Result>,
  rawPayload: unknown,
  deps: RunnerDeps,
  attempt: Partial<JobAttemptInfo> = {},
): Promise<Result> {
  const outcome = await executeJob<Result>(definition, rawPayload, deps, {
    id: attempt.id ?? randomUUID(),
    attempt: attempt.attempt ?? 1,
    signal: attempt.signal ?? new AbortController().signal,
    previousCheckpoint: attempt.previousCheckpoint,
  });
  if (outcome.kind === 'completed') return outcome.result;
  if (outcome.kind === 'snoozed') throw new SnoozeJob(outcome.seconds, outcome.reason);
  throw outcome.error;
}

/** The JSON pg-boss stores as a failed attempt's output: the error, and any checkpoint for the next try. */
export function failureOutput(outcome: Extract<JobOutcome<unknown>, { kind: 'failed' }>): Record<string, unknown> {
  return {
    error: serializeError(outcome.error),
    ...(outcome.checkpoint ? { checkpoint: outcome.checkpoint } : {}),
  };
}

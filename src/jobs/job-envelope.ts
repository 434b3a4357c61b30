/**
 * The payload envelope: two reserved top-level keys any job's payload may carry besides its own
 * fields. `traceContext` is the W3C trace context of the caller (jobs-reference §6.4), so the job's
 * span continues the caller's trace whatever batch pg-boss fetched it in; `obanJob` is the owner's
 * `oban_jobs` row a job came from, set by the inbox. A job's own schema never sees them.
 */
import { context, defaultTextMapGetter, defaultTextMapSetter, trace, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { z } from 'zod';

/** The W3C `traceparent` shape the owner's previous worker validated with (jobs-reference §6.4). */
export const TRACEPARENT_PATTERN = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The same, without the ids W3C calls invalid (all-zero trace id or span id): lookaheads, so the
 * JSON Schema of the payloads can carry the whole rule as its `pattern`.
 */
const VALID_TRACEPARENT = /^00-(?!0{32}-)[0-9a-f]{32}-(?!0{16}-)[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Whether a traceparent is one a span can continue: the shape, and neither id all zeros. */
export function isValidTraceparent(value: string): boolean {
  return TRACEPARENT_PATTERN.test(value) && VALID_TRACEPARENT.test(value);
}

const traceparent = z
  .string()
  .regex(VALID_TRACEPARENT, 'expected a W3C traceparent "00-<32 hex>-<16 hex>-<2 hex>" with non-zero trace and span ids');

/** The caller's W3C trace context; the job's span becomes a child of it. */
export const traceContextSchema = z.object({ traceparent, tracestate: z.string().max(512).optional() }).strict();

/** The owner's `oban_jobs` row this job came from (the inbox sets it; jobs only carry it). */
export const obanJobSchema = z.object({ target: z.enum(['production', 'staging']), id: z.number().int().positive() }).strict();

/** The envelope's keys, for JSON Schema and validation. */
export const envelopeSchema = z.object({ traceContext: traceContextSchema.optional(), obanJob: obanJobSchema.optional() });

export type TraceContext = z.output<typeof traceContextSchema>;
export type ObanJobRef = z.output<typeof obanJobSchema>;

/** The reserved keys a caller may add to any job's payload. */
export interface JobEnvelope {
  readonly traceContext?: TraceContext | undefined;
  readonly obanJob?: ObanJobRef | undefined;
}

/** The reserved keys, in the order they are re-attached. */
export const envelopeKeys = ['traceContext', 'obanJob'] as const;

/** A payload split into the job's own fields and the envelope's raw values. */
export interface SplitPayload {
  readonly fields: Record<string, unknown>;
  readonly envelope: { readonly traceContext?: unknown; readonly obanJob?: unknown };
}

/** Takes the reserved keys off a payload object, leaving the job's own fields untouched. */
export function splitEnvelope(payload: Record<string, unknown>): SplitPayload {
  // Most payloads carry no envelope: hand them on as they are, no copy (the runner's hot path).
  if (payload.traceContext === undefined && payload.obanJob === undefined) return { fields: payload, envelope: NO_ENVELOPE };
  const { traceContext, obanJob, ...fields } = payload;
  return {
    fields,
    envelope: {
      ...(traceContext === undefined ? {} : { traceContext }),
      ...(obanJob === undefined ? {} : { obanJob }),
    },
  };
}

const NO_ENVELOPE: SplitPayload['envelope'] = Object.freeze({});
const NOTHING_READ: { envelope: JobEnvelope; problems: EnvelopeProblem[] } = Object.freeze({ envelope: Object.freeze({}), problems: [] });

/** One problem with an envelope key, with its path below the payload (`traceContext.traceparent`). */
export interface EnvelopeProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Validates the envelope strictly, as the enqueue side must: every problem is reported, so a
 * caller passing a broken traceparent hears of it before the job is queued.
 */
export function checkEnvelope(raw: SplitPayload['envelope']): { envelope: JobEnvelope; problems: EnvelopeProblem[] } {
  const parsed = envelopeSchema.safeParse(raw);
  if (parsed.success) return { envelope: parsed.data, problems: [] };
  return {
    envelope: {},
    problems: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  };
}

/**
 * Reads the envelope leniently, as the runner must: a key that does not validate is dropped (and
 * reported) instead of failing the job, since a trace context only decorates the run
 * (jobs-reference §6.4: an invalid one means a new root span).
 */
export function readEnvelope(raw: SplitPayload['envelope']): { envelope: JobEnvelope; problems: EnvelopeProblem[] } {
  if (raw.traceContext === undefined && raw.obanJob === undefined) return NOTHING_READ;
  const traceContext = traceContextSchema.safeParse(raw.traceContext);
  const obanJob = obanJobSchema.safeParse(raw.obanJob);
  const problems: EnvelopeProblem[] = [];
  for (const [key, result] of [
    ['traceContext', traceContext],
    ['obanJob', obanJob],
  ] as const) {
    if (raw[key] === undefined || result.success) continue;
    for (const issue of result.error.issues) problems.push({ path: [key, ...issue.path.map(String)].join('.'), message: issue.message });
  }
  return {
    envelope: {
      ...(traceContext.success ? { traceContext: traceContext.data } : {}),
      ...(obanJob.success ? { obanJob: obanJob.data } : {}),
    },
    problems,
  };
}

/** The payload with the envelope keys put back, so what is queued keeps them. */
export function withEnvelope<Payload>(payload: Payload, envelope: JobEnvelope): Payload & JobEnvelope {
  if (envelope.traceContext === undefined && envelope.obanJob === undefined) return payload as Payload & JobEnvelope;
  return {
    ...payload,
    ...(envelope.traceContext === undefined ? {} : { traceContext: envelope.traceContext }),
    ...(envelope.obanJob === undefined ? {} : { obanJob: envelope.obanJob }),
  };
}

/** The one propagator: W3C trace context, the format the owner sends (jobs-reference §6.4). */
export const w3cPropagator = new W3CTraceContextPropagator();

/** The context a W3C trace context continues; validate the traceparent first (traceContextSchema). */
export function contextFromTraceContext(traceContext: TraceContext, base: Context = context.active()): Context {
  const carrier: Record<string, string> = { traceparent: traceContext.traceparent };
  if (traceContext.tracestate !== undefined) carrier.tracestate = traceContext.tracestate;
  return w3cPropagator.extract(base, carrier, defaultTextMapGetter);
}

/** The active span's W3C trace context, to hand to a job; undefined when no valid span is active. */
export function activeTraceContext(active: Context = context.active()): TraceContext | undefined {
  const spanContext = trace.getSpanContext(active);
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  const carrier: Record<string, string> = {};
  w3cPropagator.inject(active, carrier, defaultTextMapSetter);
  const { traceparent, tracestate } = carrier;
  if (traceparent === undefined) return undefined;
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

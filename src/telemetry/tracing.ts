/**
 * Traces: the span processors, sampler and propagator the SDK is started with (telemetry.ts), the
 * library instrumentations that give a job's database queries and upstream HTTP calls their
 * child spans. The W3C trace-context helpers live with the payload envelope (job-envelope.ts).
 */
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  NoopSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Config } from '../config.ts';

/** The instrumentation scope of the worker's own spans (the job spans). */
export const TRACER_NAME = 'trademachine-worker';

/** The OTLP exporter for the configured protocol: protobuf (the spec's default) or JSON. */
export function createTraceExporter(exporter: NonNullable<Config['tracing']['exporter']>): SpanExporter {
  const options = { url: exporter.url, headers: { ...exporter.headers } };
  return exporter.protocol === 'http/json' ? new OTLPJsonTraceExporter(options) : new OTLPProtoTraceExporter(options);
}

/**
 * Batch export when an endpoint is configured; otherwise a processor that drops every span, so
 * spans (and their trace ids, for logs and `sync_job_execution`) still exist but nothing leaves
 * the process.
 */
export function createSpanProcessors(tracing: Config['tracing']): SpanProcessor[] {
  if (!tracing.exporter) return [new NoopSpanProcessor()];
  return [new BatchSpanProcessor({ exporter: createTraceExporter(tracing.exporter) })];
}

/**
 * Parent-based: a caller's sampling decision stands; new traces are kept at the configured ratio.
 * With nowhere to export, nothing is recorded: spans still get their ids (for log lines and
 * `sync_job_execution."traceId"`, continuing the caller's trace) but cost a few allocations, not a
 * recorded span per job and query (measured by `npm run bench`, which runs the SDK as the worker does).
 */
export function createSampler(tracing: Config['tracing']): Sampler {
  if (!tracing.exporter) return new AlwaysOffSampler();
  return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(tracing.samplerRatio) });
}

/**
 * The instrumentations that make a job's queries and HTTP calls its child spans. Only inside a
 * span: pg-boss's idle polling and other work outside a job stay untraced. Query values are never
 * recorded (enhancedDatabaseReporting stays off), so no PII or secret reaches a span.
 */
export function libraryInstrumentations(): Instrumentation[] {
  return [new PgInstrumentation({ requireParentSpan: true }), new UndiciInstrumentation({ requireParentforSpans: true })];
}

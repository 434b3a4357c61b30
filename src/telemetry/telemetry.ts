import type { IncomingMessage, ServerResponse } from 'node:http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import type { Config } from '../config.ts';
import { w3cPropagator } from '../jobs/job-envelope.ts';
import { createSampler, createSpanProcessors } from './tracing.ts';

export interface Telemetry {
  /** Serves the Prometheus text format; mounted at /metrics on the worker's own HTTP server. */
  handleMetrics(request: IncomingMessage, response: ServerResponse): void;
  /** Exports the spans still buffered now (the REPL, tests); export otherwise runs every 5 s. */
  flushTraces(): Promise<void>;
  /** Flushes the spans still buffered to the collector, then stops. */
  shutdown(): Promise<void>;
}

/** Tracing that keeps every span in the process: for callers without a Config (tests, scripts). */
const localTracing: Config['tracing'] = { serviceName: 'trademachine-worker', samplerRatio: 1, exporter: undefined };

/**
 * Starts the OpenTelemetry SDK with a pull-based Prometheus reader and registers it globally, so
 * pg-boss's own instruments and the worker's land on the same /metrics. Node's runtime (event-loop
 * delay, heap, GC) comes from the runtime instrumentation at its default 10 ms precision. Traces:
 * a tracer provider always (job spans give logs and sync rows their trace ids), exporting over
 * OTLP only when `tracing.exporter` is set; W3C trace context is the global propagator. No log
 * exporter: without `logRecordProcessors: []` the SDK would ship logs over OTLP to a collector
 * that is not there. The pg and undici instrumentations are enabled earlier, before `pg` is
 * loaded (instrument-libraries.ts). Call once per process.
 */
export function startTelemetry(tracing: Config['tracing'] = localTracing): Telemetry {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const spanProcessors = createSpanProcessors(tracing);
  const sdk = new NodeSDK({
    serviceName: tracing.serviceName,
    metricReaders: [exporter],
    spanProcessors,
    sampler: createSampler(tracing),
    textMapPropagator: w3cPropagator,
    logRecordProcessors: [],
    instrumentations: [new RuntimeNodeInstrumentation()],
    autoDetectResources: false,
  });
  sdk.start();
  return {
    handleMetrics: (request, response) => exporter.getMetricsRequestHandler(request, response),
    flushTraces: async () => {
      await Promise.all(spanProcessors.map((processor) => processor.forceFlush()));
    },
    shutdown: () => sdk.shutdown(),
  };
}

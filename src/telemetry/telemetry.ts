import type { IncomingMessage, ServerResponse } from 'node:http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';

export interface Telemetry {
  /** Serves the Prometheus text format; mounted at /metrics on the worker's own HTTP server. */
  handleMetrics(request: IncomingMessage, response: ServerResponse): void;
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK with a pull-based Prometheus reader and registers it globally, so
 * pg-boss's own instruments and the worker's land on the same /metrics. Node's runtime (event-loop
 * delay, heap, GC) comes from the runtime instrumentation at its default 10 ms precision. No span
 * or log exporters: without them the SDK would ship traces and logs over OTLP to a collector that
 * is not there. Call once per process.
 */
export function startTelemetry(): Telemetry {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const sdk = new NodeSDK({
    serviceName: 'trademachine-worker',
    metricReaders: [exporter],
    spanProcessors: [],
    logRecordProcessors: [],
    instrumentations: [new RuntimeNodeInstrumentation()],
    autoDetectResources: false,
  });
  sdk.start();
  return {
    handleMetrics: (request, response) => exporter.getMetricsRequestHandler(request, response),
    shutdown: () => sdk.shutdown(),
  };
}

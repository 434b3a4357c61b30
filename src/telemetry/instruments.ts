import { metrics, type Meter, type MeterProvider } from '@opentelemetry/api';

/** The meter every worker instrument belongs to (the `otel_scope_name` of its series). */
export const WORKER_METER = 'trademachine-worker';

/**
 * Instruments built from the global meter provider, rebuilt when that provider changes. The global
 * API has no proxy for meters: an instrument taken before the SDK registers stays a no-op forever,
 * and a job module is imported long before main.ts starts telemetry.
 */
export function lazyInstruments<T>(create: (meter: Meter) => T): () => T {
  let provider: MeterProvider | undefined;
  let instruments: T | undefined;
  return () => {
    const current = metrics.getMeterProvider();
    if (current !== provider || instruments === undefined) {
      provider = current;
      instruments = create(current.getMeter(WORKER_METER));
    }
    return instruments;
  };
}

/**
 * Imported first by src/worker-process.ts (through src/main.ts) (and by tests that trace), before anything imports `pg`: the pg
 * instrumentation patches the module when it is loaded (require-in-the-middle sees the ESM import
 * of a CommonJS package), and a `pg` loaded earlier would stay unpatched. The spans go to the
 * global tracer provider that startTelemetry registers later (the API hands out proxies until then).
 */
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { libraryInstrumentations } from './tracing.ts';

registerInstrumentations({ instrumentations: libraryInstrumentations() });

/**
 * Process entry: config → logger → telemetry → worker; SIGTERM/SIGINT stop it gracefully.
 */
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './telemetry/logger.ts';
import { startTelemetry } from './telemetry/telemetry.ts';
import { registerWorkerMetrics } from './telemetry/worker-metrics.ts';
import { startWorker } from './worker.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`ConfigError: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}

const log = createLogger(config.log);
const telemetry = startTelemetry();
const worker = await startWorker({
  config,
  log,
  routes: [
    (request, response) => {
      if (request.method !== 'GET' || new URL(request.url ?? '/', 'http://worker').pathname !== '/metrics') return false;
      telemetry.handleMetrics(request, response);
      return true;
    },
  ],
}).catch((error: unknown) => {
  log.fatal({ err: error }, 'worker failed to start');
  process.exit(1);
});
const unregisterWorkerMetrics = registerWorkerMetrics(worker);

let signalled = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (signalled) {
      log.warn({ signal }, 'second signal: exiting now; running jobs will expire and be retried');
      process.exit(1);
    }
    signalled = true;
    log.info({ signal }, 'signal received');
    worker
      .stop()
      .then(() => {
        unregisterWorkerMetrics();
        return telemetry.shutdown();
      })
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'error while stopping');
          process.exit(1);
        },
      );
  });
}

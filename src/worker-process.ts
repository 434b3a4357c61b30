/**
 * The worker process, loaded by src/main.ts: config → logger → telemetry → worker → metrics → REPL;
 * SIGTERM/SIGINT stop it gracefully.
 */
// First, before any module loads `pg`: its instrumentation patches it as it loads.
import './telemetry/instrument-libraries.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger, secretValues } from './telemetry/logger.ts';
import { startReplServer } from './repl/repl-server.ts';
import { startTelemetry } from './telemetry/telemetry.ts';
import { registerWorkerMetrics } from './telemetry/worker-metrics.ts';
import { SHUTDOWN_MARGIN_MS, startWorker } from './worker.ts';
import { SchemaDriftError } from './db/schema-check/startup-check.ts';
import { DATABASE_UNREACHABLE_EXIT_CODE, DatabaseUnreachableError } from './db/wait-for-database.ts';


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

// The configured secrets are scrubbed from every line, whatever shape they are logged in.
const log = createLogger(config.log, { secrets: secretValues(config) });
const telemetry = startTelemetry(config.tracing);

// Signals are heard from here on, also while the worker starts (which can wait DATABASE_WAIT_MS
// for a database): the stop then runs once start-up is done, and the deadline holds either way.
let signalled = false;
let shutdown: (() => void) | undefined;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (signalled) {
      log.warn({ signal }, 'second signal: exiting now; running jobs will be retried');
      process.exit(1);
    }
    signalled = true;
    log.info({ signal }, 'signal received');
    const deadlineMs = config.shutdownTimeoutMs + SHUTDOWN_MARGIN_MS;
    setTimeout(() => {
      log.error({ deadlineMs }, 'stop did not finish in time: exiting now; jobs still held were handed back and will be retried');
      process.exit(1);
    }, deadlineMs).unref();
    shutdown?.();
  });
}

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
  if (error instanceof DatabaseUnreachableError) {
    // One line that names the variable and the cause; the stack would only repeat it.
    process.stderr.write(`${error.name}: ${error.message}\n`);
    log.fatal({ code: error.code, variable: error.variable }, 'worker not started: a database is unreachable');
    process.exit(DATABASE_UNREACHABLE_EXIT_CODE);
  }
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`HTTP_PORT ${config.http.port} on ${config.http.host} is already in use: is another worker running? Stop it or set another HTTP_PORT\n`);
    log.fatal({ code: 'EADDRINUSE' }, 'worker not started: its HTTP port is in use');
    process.exit(1);
  }
  if (error instanceof SchemaDriftError) {
    // The report is a table meant for people: print it as is, then the one-line log entry.
    process.stderr.write(`${error.message}\n`);
    log.fatal({ code: error.code }, 'worker not started: the owner schema breaks it');
    process.exit(3);
  }
  log.fatal({ err: error }, 'worker failed to start');
  process.exit(1);
});
const unregisterWorkerMetrics = registerWorkerMetrics(worker);
// The console is a convenience: a worker whose socket cannot be made still does its jobs.
const repl = config.repl.enabled
  ? await startReplServer(worker, { socketPath: config.repl.socketPath, log }).catch((error: unknown) => {
      log.error({ err: error }, 'REPL not started; the worker runs without it');
      return undefined;
    })
  : undefined;

// The stop, once there is something to stop; a signal during start-up runs it as soon as there is.
shutdown = () => {
  // Console sessions first, so nobody is left typing into a worker that is going away.
  Promise.resolve(repl?.close())
    .then(() => worker.stop())
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
};
if (signalled) shutdown();

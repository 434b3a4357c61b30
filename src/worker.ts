import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { Config } from './config.ts';
import { openTargets, type Targets } from './db/targets.ts';
import { createClients, type Clients } from './jobs/clients.ts';
import { jobs as registry } from './jobs/index.ts';
import type { JobDefinition } from './jobs/define-job.ts';
import type { z } from 'zod';
import { createBoss, ensureQueues, ensureSchedules, startWorkers, type QueueOptions } from './jobs/queue.ts';
import type { RunnerDeps } from './jobs/runner.ts';
import { startHttpServer, type RouteHandler, type RunningHttpServer } from './http/server.ts';
import { createMailboxHandler } from './http/mailbox-page.ts';
import { runStartupSchemaCheck, schemaReadiness } from './db/schema-check/startup-check.ts';
import { schemaCheckStatusValue } from './db/schema-check/report.ts';
import { setSchemaCheckResult } from './telemetry/schema-check-metric.ts';

export interface WorkerOptions {
  readonly config: Config;
  readonly log: Logger;
  /** Extra HTTP routes, e.g. /metrics from telemetry. */
  readonly routes?: readonly RouteHandler[];
  /** The jobs to run. Default: the registry. */
  readonly jobs?: readonly JobDefinition<z.ZodType, unknown>[];
  /** pg-boss timing knobs (see QueueOptions.tuning). */
  readonly queueTuning?: QueueOptions['tuning'];
}

/** A running worker: its parts, for the REPL and tests, and a graceful stop. */
export interface RunningWorker {
  readonly config: Config;
  readonly log: Logger;
  /** What every job run gets: for running a job inline (REPL runNow, scripts). */
  readonly deps: RunnerDeps;
  readonly jobs: readonly JobDefinition<z.ZodType, unknown>[];
  readonly boss: PgBoss;
  readonly targets: Targets;
  readonly clients: Clients;
  readonly http: RunningHttpServer;
  /** Stops fetching, lets running jobs finish within SHUTDOWN_TIMEOUT_MS, then closes everything. */
  stop(): Promise<void>;
}

/**
 * Starts the worker in this process: targets → schema check → queue → workers → HTTP. The order
 * matters: breaking drift stops start-up before any job runs, /ready only turns green once the
 * queue has started, and a stop undoes it in reverse.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { config, log } = options;
  const jobs = options.jobs ?? registry;
  const targets = openTargets(config.targets, config.database.poolMax, (target, error) =>
    log.warn({ target, err: error }, 'idle database connection failed; the pool replaces it'),
    config.database.ownerSchema,
  );
  const clients = createClients(config, log);
  const schemaCheck = await runStartupSchemaCheck({
    targets: targets.all.map((target) => ({ name: target.name, client: target.pool })),
    ownerSchema: config.database.ownerSchema,
    queue: { schema: config.database.queueSchema, migrate: config.database.queueMigrate },
    mode: config.schemaCheck,
    log,
  }).catch(async (error: unknown) => {
    await Promise.allSettled([clients.close(), targets.destroy()]);
    throw error;
  });
  for (const { target, report } of schemaCheck.results) setSchemaCheckResult(schemaCheckStatusValue(report), target);
  const boss = createBoss(
    {
      connectionString: config.database.url,
      schema: config.database.queueSchema,
      cronEnabled: config.cronEnabled,
      migrate: config.database.queueMigrate,
      tuning: options.queueTuning,
    },
    log,
  );
  const deps: RunnerDeps = { config, targets, clients, log };
  let queueStarted = false;
  let stopping = false;
  // pg-boss opens its pool in start(); a start that fails halfway must still close it.
  try {
    await boss.start();
    queueStarted = true;
    await ensureQueues(boss, jobs, log);
    await ensureSchedules(boss, jobs, config.cronEnabled, log);
    await startWorkers(boss, jobs, deps);
  } catch (error) {
    await Promise.allSettled([boss.stop({ graceful: false, close: true }), clients.close(), targets.destroy()]);
    throw error;
  }

  const mailbox: RouteHandler[] = config.email.provider === 'dev-mailbox' ? [createMailboxHandler(config.email.devMailboxDir)] : [];
  const http = await startHttpServer({
    host: config.http.host,
    port: config.http.port,
    routes: [...(options.routes ?? []), ...mailbox],
    readiness: {
      schema: async () => schemaReadiness(schemaCheck),
      queue: async () => ({ ok: queueStarted && !stopping, detail: stopping ? 'stopping' : queueStarted ? 'started' : 'not started' }),
      ...Object.fromEntries(
        targets.all.map((target) => [
          `database:${target.name}`,
          async () => {
            await sql`select 1`.execute(target.db);
            return { ok: true };
          },
        ]),
      ),
    },
  });
  log.info({ jobs: jobs.map((job) => job.name), http: http.url, cron: config.cronEnabled }, 'worker started');

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      log.info({ timeoutMs: config.shutdownTimeoutMs }, 'worker stopping: no new jobs; waiting for running ones');
      // pg-boss stops fetching, waits for active handlers up to the timeout, and leaves any job still
      // running as active: it expires and is retried by another worker, so nothing is lost.
      await boss.stop({ graceful: true, timeout: config.shutdownTimeoutMs, close: true });
      await http.close();
      await Promise.allSettled([clients.close(), targets.destroy()]);
      log.info('worker stopped');
    })();
    return stopped;
  };
  return { config, log, deps, jobs, boss, targets, clients, http, stop };
}

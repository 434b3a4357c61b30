import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { Config } from './config.ts';
import { openTargets, type Target, type Targets } from './db/targets.ts';
import { createClients, type Clients } from './jobs/clients.ts';
import { jobs as registry } from './jobs/index.ts';
import type { JobDefinition } from './jobs/define-job.ts';
import type { z } from 'zod';
import { createBoss, ensureQueues, ensureSchedules, startWorkers, type QueueOptions, type RunningJobs } from './jobs/queue.ts';
import { createSideEffectStore } from './jobs/side-effects.ts';
import { waitForDatabase } from './db/wait-for-database.ts';
import type { RunnerDeps } from './jobs/runner.ts';
import { startHttpServer, type RouteHandler, type RunningHttpServer } from './http/server.ts';
import { createMailboxHandler } from './http/mailbox-page.ts';
import { createDiscordPageHandler } from './http/discord-page.ts';
import { createEmailWebhookHandler } from './http/email-webhooks.ts';
import { enqueue } from './client/enqueue.ts';
import { startSlashCommands, type SlashCommands } from './jobs/discord/commands/start-slash-commands.ts';
import { sharesQueueDatabase, startInbox, type Inbox } from './inbox/inbox.ts';
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
  /** The jobs this process is running right now. */
  readonly running: RunningJobs;
  /** The Discord slash commands: their transport and, on the Gateway, whether this process leads. */
  readonly discordCommands: SlashCommands;
  /** The oban_jobs inbox, when INBOX_ENABLED. */
  readonly inbox: Inbox | undefined;
  /**
   * Stops fetching and lets running jobs finish; shortly before SHUTDOWN_TIMEOUT_MS it stops the
   * ones still running (queries cancelled, requests aborted) so they are handed back for a retry
   * having done nothing more; then closes everything.
   */
  stop(): Promise<void>;
}

/**
 * One target's /ready entry: its schema answers, not just its server (a staging schema dropped
 * under a running worker shows). Only production gates readiness: staging being down must not take
 * production's worker out of rotation (the previous service's /health did, §8); it shows in the detail.
 */
async function targetReadiness(target: Target): Promise<{ ok: boolean; detail: string }> {
  const gates = target.name === 'production';
  try {
    const { rows } = await sql<{ found: boolean }>`select to_regclass('oban_jobs') is not null as found`.execute(target.db);
    if (rows[0]?.found) return { ok: true, detail: `schema ${target.schema}` };
    return { ok: !gates, detail: `schema ${target.schema} has no owner tables${gates ? '' : ' (does not gate readiness)'}` };
  } catch (error) {
    if (gates) throw error;
    return { ok: true, detail: `unreachable: ${error instanceof Error ? error.message : String(error)} (does not gate readiness)` };
  }
}

/**
 * When a stop aborts the jobs still running: shortly before pg-boss's own deadline (at which it
 * fails them for a retry), so they stop while pg-boss still holds them and nothing they do lands
 * after the hand-back. Two seconds early, or a quarter of a short timeout.
 */
export function jobAbortAfterMs(shutdownTimeoutMs: number): number {
  return shutdownTimeoutMs - Math.min(2000, shutdownTimeoutMs / 4);
}

/**
 * Past SHUTDOWN_TIMEOUT_MS a stop has handed every job back; this margin covers closing pools and
 * sockets. Whatever is still pending then (a database that stopped answering), the process exits.
 */
export const SHUTDOWN_MARGIN_MS = 2000;

/** How often records of side effects past their retention are deleted. */
const pruneIntervalMs = 3600_000;

/**
 * Starts the worker in this process: targets → schema check → queue → workers → HTTP. The order
 * matters: breaking drift stops start-up before any job runs, /ready only turns green once the
 * queue has started, and a stop undoes it in reverse.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { config, log } = options;
  const jobs = options.jobs ?? registry;
  // Say which database is missing, and why, before anything else reports it as its own failure;
  // once per database (staging shares production's unless STAGING_DATABASE_URL is set).
  const databases = new Map(config.targets.map((target) => [target.databaseUrl, target.databaseUrlVariable]));
  for (const [url, variable] of databases) await waitForDatabase({ variable, url }, { waitMs: config.database.waitMs, log });
  const targets = openTargets(config.targets, config.database.poolMax, (target, error) =>
    log.warn({ target, err: error }, 'idle database connection failed; the pool replaces it'),
  );
  const clients = createClients(config, log);
  const schemaCheck = await runStartupSchemaCheck({
    targets: targets.all.map((target) => ({ name: target.name, client: target.pool, schema: target.schema })),
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
      monitorIntervalSeconds: config.queue.monitorIntervalSeconds,
      tuning: options.queueTuning,
    },
    log,
  );
  const sideEffects = createSideEffectStore(() => boss.getDb(), config.database.queueSchema);
  const deps: RunnerDeps = { config, targets, clients, log, sideEffects };
  let queueStarted = false;
  let stopping = false;
  let running: RunningJobs;
  // pg-boss opens its pool in start(); a start that fails halfway must still close it.
  try {
    await boss.start();
    queueStarted = true;
    await sideEffects.install({ migrate: config.database.queueMigrate });
    await ensureQueues(boss, jobs, log, { heartbeatSeconds: config.queue.heartbeatSeconds });
    await ensureSchedules(boss, jobs, config.cronEnabled, log);
    running = await startWorkers(boss, jobs, deps);
  } catch (error) {
    await Promise.allSettled([boss.stop({ graceful: false, close: true }), clients.close(), targets.destroy()]);
    throw error;
  }

  const mailbox: RouteHandler[] = config.email.provider === 'dev-mailbox' ? [createMailboxHandler(config.email.devMailboxDir)] : [];
  // What the dev Discord stand-in received; never in production, where messages go to Discord.
  const discordPage: RouteHandler[] = config.deployEnv === 'production' ? [] : [createDiscordPageHandler(config.discord.devDir)];
  // The providers' delivery webhooks, each on only when its secret is set; a verified event is queued as email.status.
  const emailWebhooks = createEmailWebhookHandler(config.emailWebhooks, (payload) => enqueue(boss, 'email.status', payload, { maxPayloadBytes: config.maxPayloadBytes }), log);
  // The owner's oban_jobs rows, taken once the queue runs (INBOX_ENABLED; off by default while the
  // previous service still takes them).
  const inbox: Inbox | undefined = config.inbox.enabled
    ? startInbox({
        boss,
        queueSchema: config.database.queueSchema,
        // The production target's database is the queue's (DATABASE_URL).
        queuePool: targets.get('production').pool,
        targets: config.targets.map((target) => ({ name: target.name, pool: targets.get(target.name).pool, sharesQueueDatabase: sharesQueueDatabase(config, target) })),
        inbox: config.inbox,
        frontendOrigins: Object.fromEntries(config.targets.map((target) => [target.name, target.frontendOrigin])),
        maxPayloadBytes: config.maxPayloadBytes,
        log,
      })
    : undefined;
  // Not part of readiness: the commands are not the worker's core work, and Discord being down must
  // not take the worker out of rotation. Their state shows in /health and the console.
  const discordCommands = startSlashCommands(config, { client: clients.discord, targets, log });
  const http = await startHttpServer({
    host: config.http.host,
    port: config.http.port,
    routes: [...(options.routes ?? []), ...mailbox, ...discordPage, emailWebhooks, ...discordCommands.routes],
    healthDetails: () => ({ discordCommands: discordCommands.state() }),
    readiness: {
      schema: async () => schemaReadiness(schemaCheck),
      queue: async () => {
        if (stopping || !queueStarted) return { ok: false, detail: stopping ? 'stopping' : 'not started' };
        // Started is not enough: the queue is down whenever its database is.
        await boss.getDb().executeSql('SELECT 1');
        return { ok: true, detail: 'started' };
      },
      ...Object.fromEntries(
        targets.all.map((target) => [
          `database:${target.name}`,
          () => targetReadiness(target),
        ]),
      ),
    },
  });
  log.info({ jobs: jobs.map((job) => job.name), http: http.url, cron: config.cronEnabled, inbox: config.inbox.enabled ? config.inbox.workers : false }, 'worker started');
  const prune = () =>
    sideEffects.prune().then(
      (count) => count > 0 && log.info({ count }, 'pruned side-effect records past their retention'),
      (error: unknown) => log.warn({ err: error }, 'could not prune side-effect records'),
    );
  void prune();
  const pruneTimer = setInterval(prune, pruneIntervalMs).unref();

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      clearInterval(pruneTimer);
      // First, so no new interaction arrives, and the lock is free for another process at once.
      await discordCommands.stop().catch((error: unknown) => log.warn({ err: error }, 'could not stop the Discord commands cleanly'));
      // Then the inbox, so no owner row is claimed for a queue that is stopping; claimed rows keep their jobs.
      await inbox?.stop().catch((error: unknown) => log.warn({ err: error }, 'could not stop the inbox cleanly'));
      const timeoutMs = config.shutdownTimeoutMs;
      log.info({ timeoutMs, running: running.count() }, 'worker stopping: no new jobs; waiting for running ones');
      const abortTimer = setTimeout(() => {
        const count = running.count();
        if (count > 0) log.warn({ count }, 'jobs still running: stopping them (queries cancelled, requests aborted); they will be retried');
        running.abortAll('the worker is shutting down');
      }, jobAbortAfterMs(timeoutMs));
      try {
        // pg-boss stops fetching and waits for the handlers; the aborted ones fail and are retried.
        // One that ignored its signal is failed by pg-boss at the deadline; nothing is lost.
        await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
      } finally {
        clearTimeout(abortTimer);
      }
      await http.close();
      await Promise.allSettled([clients.close(), targets.destroy()]);
      log.info('worker stopped');
    })();
    return stopped;
  };
  return { config, log, deps, jobs, boss, targets, clients, http, running, discordCommands, inbox, stop };
}

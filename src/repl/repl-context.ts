/**
 * What a console session has at hand: the worker's live objects and the helpers an operator
 * needs, bound to the running worker. Secrets stay masked; the worker's globals stay its own
 * (session-guard.ts keeps console code from exiting it).
 */
import { Console } from 'node:console';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { RunningWorker } from '../worker.ts';
import { enqueue as enqueueJob, type EnqueueOptions } from '../client/enqueue.ts';
import { runJobInline } from '../jobs/runner.ts';
import { redactSecrets, secretValues } from '../telemetry/logger.ts';
import { obanJobs, queueStats, recentFailures, schemaCheckNow, syncHistory } from './repl-queries.ts';
import type { TargetName } from '../db/targets.ts';

/** The session a context belongs to: where it writes, and what it logs. */
export interface ReplSession {
  readonly output: Writable;
  readonly colors: boolean;
  /** The session's audit logger (always at info or finer, whatever the worker's level). */
  readonly audit: Logger;
}

const helpText = `TradeMachine worker console: live objects of this worker process.

  config                       the configuration, secrets masked
  db                           the production target's Kysely:  await db.selectFrom('team').select('name').execute()
  staging                      the staging target's Kysely (its schema), when staging is on
  targets                      every target (targets.get('staging').db, .schema, .all)
  boss                         the pg-boss instance
  jobs                         the job registry (definitions)
  log                          the worker's logger
  await enqueue(job, payload)  validate and queue a job; returns its id
  await runNow(job, payload)   run a job here and now with the real context; returns its result
  await queueStats()           jobs per queue by state, counted now from the job table
                               (boss.getQueues() has pg-boss's cached counts, up to a minute old)
  await recentFailures(n=10)   failed, retrying and dead-lettered jobs with their errors
  await syncHistory(n=20, target='production')   newest sync_job_execution rows of that target
  await obanJobs(n=20, target='production')      newest rows of that target's oban_jobs (the owner's enqueues) and how they ended
  await schemaCheck()          the drift check of every target's schema, now
  discordCommands()            the slash commands' transport and, on the Gateway, leader / connected / reconnects
  setLogLevel(level)           change the log level now (fatal error warn info debug trace silent)
  logLevel()                   the current log level
  .exit or Ctrl-D              leave the console; the worker keeps running (process.exit() here, too)

Every input is logged. Ctrl-C does not interrupt a pending await: the awaited work goes on.`;

/** The names and values put into each session's REPL context. */
export function createReplContext(worker: RunningWorker, session: ReplSession): Record<string, unknown> {
  const findDefinition = (name: string) => {
    const definition = worker.jobs.find((job) => job.name === name);
    if (!definition) throw new Error(`unknown job "${name}"; jobs: ${worker.jobs.map((job) => job.name).join(', ')}`);
    return definition;
  };
  const levels = Object.keys(worker.log.levels.values).concat('silent');
  return {
    config: redactSecrets(worker.config, secretValues(worker.config)),
    db: worker.targets.get('production').db,
    staging: worker.targets.all.find((target) => target.name === 'staging')?.db,
    targets: worker.targets,
    boss: worker.boss,
    jobs: worker.jobs,
    log: worker.log,
    enqueue: (name: string, payload: unknown = {}, options: EnqueueOptions = {}) =>
      enqueueJob(worker.boss, name as never, payload as never, options),
    runNow: (name: string, payload: unknown = {}) => runJobInline(findDefinition(name), payload, worker.deps),
    queueStats: () => queueStats(worker.boss, worker.config.database.queueSchema),
    recentFailures: (limit = 10) => recentFailures(worker.boss, worker.jobs.map((job) => job.name), limit),
    syncHistory: (limit = 20, target: TargetName = 'production') => syncHistory(worker.targets, limit, target),
    obanJobs: (limit = 20, target: TargetName = 'production') => obanJobs(worker.targets, limit, target),
    schemaCheck: () => schemaCheckNow(worker.targets),
    setLogLevel: (level: string) => {
      if (!levels.includes(level)) throw new Error(`unknown level "${level}"; levels: ${levels.join(', ')}`);
      const previous = worker.log.level;
      // Jobs log through children the runner makes per attempt from this logger, so they follow
      // at once; children made before keep the level they were born with.
      worker.log.level = level;
      session.audit.info({ repl: { previousLevel: previous, level } }, 'log level changed from the console');
      return level;
    },
    logLevel: () => worker.log.level,
    discordCommands: () => worker.discordCommands.state(),
    help: () => {
      session.output.write(`${helpText}\n`);
    },
    console: new Console({ stdout: session.output, stderr: session.output, colorMode: session.colors }),
  };
}

/**
 * Fills a session's REPL context without touching the worker's globals. With `useGlobal: false`
 * the REPL copies globalThis's properties onto the context, accessors included, and the setters
 * of `process`, `Buffer` and `performance` replace the worker's own: so names are defined, never
 * assigned, and those copied accessors become plain properties of the context, which code in the
 * session may then reassign freely.
 */
export function fillReplContext(context: object, worker: RunningWorker, session: ReplSession): void {
  for (const name of Object.getOwnPropertyNames(context)) {
    const own = Object.getOwnPropertyDescriptor(context, name);
    const global = Object.getOwnPropertyDescriptor(globalThis, name);
    if (own?.set && own.set === global?.set) {
      Object.defineProperty(context, name, { value: Reflect.get(globalThis, name), writable: true, configurable: true, enumerable: own.enumerable ?? false });
    }
  }
  for (const [name, value] of Object.entries(createReplContext(worker, session))) {
    Object.defineProperty(context, name, { value, writable: true, configurable: true, enumerable: true });
  }
}

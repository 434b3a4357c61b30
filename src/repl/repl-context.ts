/**
 * What a console session has at hand: the worker's live objects and the helpers an operator
 * needs, bound to the running worker. Secrets stay masked; the worker cannot be killed from here.
 */
import { Console } from 'node:console';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { RunningWorker } from '../worker.ts';
import { enqueue as enqueueJob, type EnqueueOptions } from '../client/enqueue.ts';
import { runJobInline } from '../jobs/runner.ts';
import { redactSecrets, secretValues } from '../telemetry/logger.ts';
import { queueStats, recentFailures, syncHistory } from './repl-queries.ts';
import type { TargetName } from '../db/targets.ts';

/** The session a context belongs to: where it writes, and how it ends. */
export interface ReplSession {
  readonly output: Writable;
  readonly colors: boolean;
  /** The session's audit logger (always at info or finer, whatever the worker's level). */
  readonly audit: Logger;
  /** Ends this session only; the worker keeps running. */
  close(): void;
}

const helpText = `TradeMachine worker console: live objects of this worker process.

  config                       the configuration, secrets masked
  db                           the production target's Kysely:  await db.selectFrom('team').select('name').execute()
  targets                      every target (targets.get('staging').db)
  boss                         the pg-boss instance
  jobs                         the job registry (definitions)
  log                          the worker's logger
  await enqueue(job, payload)  validate and queue a job; returns its id
  await runNow(job, payload)   run a job here and now with the real context; returns its result
  await queueStats()           counts per queue
  await recentFailures(n=10)   failed, retrying and dead-lettered jobs with their errors
  await syncHistory(n=20, target='production')   newest sync_job_execution rows
  setLogLevel(level)           change the log level now (fatal error warn info debug trace silent)
  logLevel()                   the current log level
  .exit or Ctrl-D              leave the console (the worker keeps running)

Every input is logged. Ctrl-C does not interrupt a pending await: the awaited work goes on.`;

/** A stand-in for `process` whose exit/abort/kill-self end the session instead of the worker. */
function guardedProcess(session: ReplSession): NodeJS.Process {
  const refuse = (what: string) => () => {
    throw new Error(`${what} is blocked in the console: it would stop the worker. Stop the worker with SIGTERM from outside.`);
  };
  const isSelf = (pid: number) => pid === process.pid || pid === 0 || pid === -process.pid;
  return new Proxy(process, {
    get(target, key) {
      if (key === 'exit' || key === 'reallyExit') {
        return () => {
          session.output.write('process.exit() ends this console session; the worker keeps running.\n');
          session.close();
        };
      }
      if (key === 'abort') return refuse('process.abort()');
      if (key === 'kill') {
        return (pid: number, signal?: string | number) => (isSelf(pid) ? refuse('process.kill() of the worker')() : target.kill(pid, signal));
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

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
    targets: worker.targets,
    boss: worker.boss,
    jobs: worker.jobs,
    log: worker.log,
    enqueue: (name: string, payload: unknown = {}, options: EnqueueOptions = {}) =>
      enqueueJob(worker.boss, name as never, payload as never, options),
    runNow: (name: string, payload: unknown = {}) => runJobInline(findDefinition(name), payload, worker.deps),
    queueStats: () => queueStats(worker.boss),
    recentFailures: (limit = 10) => recentFailures(worker.boss, worker.jobs.map((job) => job.name), limit),
    syncHistory: (limit = 20, target: TargetName = 'production') => syncHistory(worker.targets, limit, target),
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
    help: () => {
      session.output.write(`${helpText}\n`);
    },
    console: new Console({ stdout: session.output, stderr: session.output, colorMode: session.colors }),
    process: guardedProcess(session),
  };
}

/**
 * What every measurement shares: one pg-boss instance built by the worker's own `createBoss`
 * (LISTEN/NOTIFY on, schema `pgboss`), the runner's dependencies built from the real pieces, and
 * one observer connection that reads job states. Raw pg-boss and the runner use the same instance,
 * so the only difference between them is the work() options and the handler.
 */
import pg from 'pg';
import { pino, type Logger } from 'pino';
import type { PgBoss } from 'pg-boss';
import { loadConfig } from '../../src/config.ts';
import { openTargets } from '../../src/db/targets.ts';
import { createClients } from '../../src/jobs/clients.ts';
import { createBoss, deadLetterQueueName, ensureQueues } from '../../src/jobs/queue.ts';
import type { RunnerDeps } from '../../src/jobs/runner.ts';
import { createSideEffectStore } from '../../src/jobs/side-effects.ts';
import { noopDefinition } from './runner.ts';

export const QUEUE_SCHEMA = 'pgboss';

export interface Harness {
  readonly boss: PgBoss;
  readonly deps: RunnerDeps;
  readonly log: Logger;
  /** Jobs of `queue` pg-boss has marked completed, read from its job table. */
  completedCount(queue: string): Promise<number>;
  /** Creates `queue` (and its dead letter) exactly as the worker creates a job's queue. */
  createQueue(queue: string): Promise<void>;
  /** Deletes `queue`, its dead letter and their jobs, so leftovers cannot slow the next measurement. */
  deleteQueue(queue: string): Promise<void>;
  /**
   * Brings the planner's statistics of the job table up to date with the backlog just queued.
   * pg-boss keeps every queue in one table (unless `partition: true`): when the queue's name is
   * missing from the last ANALYZE's most common values, the planner expects one row and joins
   * fetch's UPDATE by a nested loop over the whole queue. Measured here: 5,000 jobs fetched and
   * completed in 11 s with such stale statistics, 0.45 s with current ones. Autovacuum re-analyzes
   * at a moment of its choosing, so without this call a drain's rate depends on when it did.
   */
  analyzeJobs(): Promise<void>;
  close(): Promise<void>;
}

/** Builds what src/worker.ts's startWorker builds for running jobs, minus the schema check and HTTP. */
export async function openHarness(databaseUrl: string): Promise<Harness> {
  // Silent: the bench measures the runner, not pino's stdout; the report says so.
  const log = pino({ level: 'silent' });
  const config = loadConfig({ DATABASE_URL: databaseUrl, QUEUE_SCHEMA, LOG_LEVEL: 'silent', DEPLOY_ENV: 'development' });
  // Lazy pools: the noop job never queries the owner's tables, so no owner schema is applied.
  const targets = openTargets(config.targets, config.database.poolMax);
  const clients = createClients(config, log);
  const boss = createBoss(
    {
      connectionString: databaseUrl,
      schema: QUEUE_SCHEMA,
      cronEnabled: false,
      monitorIntervalSeconds: config.queue.monitorIntervalSeconds,
    },
    log,
  );
  const sideEffects = createSideEffectStore(() => boss.getDb(), QUEUE_SCHEMA);
  const deps: RunnerDeps = { config, targets, clients, log, sideEffects };
  const observer = new pg.Pool({ connectionString: databaseUrl, max: 1, application_name: 'trademachine-bench:observer' });
  try {
    await boss.start();
    await sideEffects.install({ migrate: true });
  } catch (error) {
    await Promise.allSettled([boss.stop({ graceful: false, close: true }), observer.end(), clients.close(), targets.destroy()]);
    throw error;
  }
  const queueOptions = { heartbeatSeconds: config.queue.heartbeatSeconds };
  return {
    boss,
    deps,
    log,
    completedCount: async (queue) => {
      const { rows } = await observer.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state = 'completed'`,
        [queue],
      );
      return rows[0]?.n ?? 0;
    },
    // Through ensureQueues with a stand-in definition rather than createQueue with copied options:
    // raw and runner queues then get the worker's queue options by construction, notify included.
    createQueue: (queue) => ensureQueues(boss, [noopDefinition(queue, () => {})], log, queueOptions),
    deleteQueue: async (queue) => {
      await boss.deleteQueue(queue);
      await boss.deleteQueue(deadLetterQueueName(queue));
      // Every measurement deletes ~10,000 rows; without this, later ones would wade through the
      // dead tuples of earlier ones (autovacuum lags far behind at this rate).
      await observer.query(`VACUUM ${QUEUE_SCHEMA}.job`);
    },
    analyzeJobs: async () => {
      await observer.query(`ANALYZE ${QUEUE_SCHEMA}.job`);
    },
    close: async () => {
      await boss.stop({ graceful: false, close: true });
      await Promise.allSettled([observer.end(), clients.close(), targets.destroy()]);
    },
  };
}

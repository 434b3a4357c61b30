/**
 * The `oban_jobs` inbox: per target, every `pollMs`, claim due rows and enqueue them (enqueue.ts),
 * write the outcomes of the rows in flight back (outcomes.ts), and now and then prune finished rows
 * (prune.ts). A failing poll is logged and retried at the next tick; it never stops the inbox.
 */
import { hostname } from 'node:os';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Config, TargetConfig } from '../config.ts';
import { pollTarget, reenqueueRows, type EnqueueDeps, type InboxTarget, type PollResult, type SendJob } from './enqueue.ts';
import { discardRows, type ClaimOptions } from './claim.ts';
import { knownObanWorkers, queuesOf, type ObanWorker } from './oban-workers.ts';
import { writeOutcomes, type OutcomePass } from './outcomes.ts';
import { pruneFinished } from './prune.ts';

export type { InboxTarget } from './enqueue.ts';

export interface InboxOptions {
  readonly boss: PgBoss;
  /** The queue's schema (QUEUE_SCHEMA) and a pool of its database, for reading the jobs' states. */
  readonly queueSchema: string;
  readonly queuePool: pg.Pool;
  /** The targets whose `oban_jobs` are polled. */
  readonly targets: readonly InboxTarget[];
  /** INBOX_* settings. */
  readonly inbox: Config['inbox'];
  /** Each target's web-app origin (FRONTEND_URL, STAGING_FRONTEND_URL): reset and registration links are built on it. */
  readonly frontendOrigins: Readonly<Partial<Record<InboxTarget['name'], string>>>;
  readonly maxPayloadBytes: number;
  readonly log: Logger;
  /** `attempted_by[2]`. Default: os.hostname(). */
  readonly host?: string;
  /** Rows claimed per target and poll. Default: 50. */
  readonly batchSize?: number;
  /** Tests: a stand-in for pg-boss's send, and a hook just before each claim's commit. */
  readonly send?: SendJob;
  readonly beforeCommit?: () => Promise<void>;
}

export interface PollSummary {
  readonly target: InboxTarget['name'];
  readonly claimed: PollResult;
  readonly outcomes: OutcomePass;
}

export interface Inbox {
  /** One pass over every target now (the loop does the same each tick); for tests and the console. */
  pollOnce(): Promise<PollSummary[]>;
  /** Stops the loop and waits for a pass in progress. */
  stop(): Promise<void>;
}

/** Whether a target's database is the queue's (the queue lives in DATABASE_URL's database), so enqueues share the claim's transaction. */
export function sharesQueueDatabase(config: Pick<Config, 'database'>, target: TargetConfig): boolean {
  return target.databaseUrl === config.database.url;
}

const PRUNE_EVERY_MS = 60_000;

/**
 * Creates the inbox and, unless `start` is false, starts its loop. Does nothing with rows until
 * started; the caller checks `inbox.enabled`.
 */
export function startInbox(options: InboxOptions, start = true): Inbox {
  const log = options.log.child({ component: 'inbox' });
  const workers = options.inbox.workers as readonly ObanWorker[];
  const claim: ClaimOptions = {
    queues: queuesOf(workers),
    workers,
    knownWorkers: knownObanWorkers,
    host: options.host ?? hostname(),
    limit: options.batchSize ?? 50,
  };
  const poolOf = (name: InboxTarget['name']) => options.targets.find((target) => target.name === name)?.pool;
  const deps: EnqueueDeps = {
    send: options.send ?? ((name, data, sendOptions) => options.boss.send(name, data, sendOptions)),
    jobExists: async (id, db) => {
      const sql = `SELECT 1 FROM "${options.queueSchema.replaceAll('"', '""')}".job WHERE id = $1::uuid`;
      const { rows } = db ? await db.executeSql(sql, [id]) : await options.queuePool.query(sql, [id]);
      return rows.length > 0;
    },
    frontendOrigins: options.frontendOrigins,
    maxPayloadBytes: options.maxPayloadBytes,
    poolOf,
    releaseDelaySeconds: 5,
    ...(options.beforeCommit ? { beforeCommit: options.beforeCommit } : {}),
  };
  let lastPrune = 0;

  const passOver = async (target: InboxTarget): Promise<PollSummary> => {
    const claimed = await pollTarget(target, claim, deps, (message, details) => log.warn({ target: target.name, ...details }, message));
    for (const row of claimed.discarded) log.warn({ target: target.name, rowId: row.rowId, error: row.error }, 'oban_jobs row discarded: it cannot be interpreted');
    if (claimed.enqueued.length > 0) log.debug({ target: target.name, enqueued: claimed.enqueued }, 'oban_jobs rows enqueued');
    const outcomes = await writeOutcomes(target, options.queuePool, options.queueSchema);
    if (outcomes.missing.length > 0) {
      if (target.sharesQueueDatabase) {
        // Claim and send commit together here, so a row without its job was lost on the queue's side.
        const lost = outcomes.missing.map((row) => ({ id: row.id, attempt: row.attempt, error: 'its pg-boss job is gone from the queue (deleted by hand?)' }));
        const client = await target.pool.connect();
        try {
          await discardRows(client, lost);
        } finally {
          client.release();
        }
      } else {
        await reenqueueRows(outcomes.missing, target, deps);
      }
    }
    return { target: target.name, claimed, outcomes };
  };

  const pollOnce = async (): Promise<PollSummary[]> => {
    const summaries: PollSummary[] = [];
    for (const target of options.targets) {
      try {
        summaries.push(await passOver(target));
      } catch (error) {
        log.error({ err: error, target: target.name }, 'inbox poll failed; retried at the next tick');
      }
    }
    if (options.inbox.pruneHours > 0 && Date.now() - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = Date.now();
      for (const target of options.targets) {
        try {
          const pruned = await pruneFinished(target.pool, options.inbox.pruneHours);
          if (pruned > 0) log.info({ target: target.name, pruned }, 'pruned finished oban_jobs rows');
        } catch (error) {
          log.error({ err: error, target: target.name }, 'pruning oban_jobs failed');
        }
      }
    }
    return summaries;
  };

  let stopped = !start;
  let current: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped) return;
    current = pollOnce().finally(() => {
      if (!stopped) timer = setTimeout(tick, options.inbox.pollMs);
    });
  };
  if (start) {
    log.info({ targets: options.targets.map((target) => target.name), workers, pollMs: options.inbox.pollMs }, 'oban_jobs inbox started');
    tick();
  }
  return {
    pollOnce,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current.catch(() => {});
    },
  };
}

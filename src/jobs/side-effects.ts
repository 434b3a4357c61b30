/**
 * Durable records of side effects that must never happen twice (an email a provider accepted, a
 * Discord message posted). A job's attempt asks `once(effect, perform)`: when an earlier attempt of
 * the same job already recorded that effect, its recorded value comes back and nothing is done
 * again; otherwise `perform` runs and its value is recorded the moment it returns, before anything
 * else can fail. Records live in the worker's own queue schema, never in the owner's, keyed by the
 * job: pg-boss keeps a job's id across its retries, so a retry after a crash, an expiry or a
 * shutdown finds what its predecessor did.
 *
 * One instant is left: between the other side's answer and the record. `perform` gets an
 * idempotency key derived from the job, which the other side uses to fold a repeat (Brevo's
 * idempotencyKey, a stable Message-ID, Discord's nonce); see README "Sent once".
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { RetryableJobError } from './outcomes.ts';

/** Runs SQL on the queue's database (pg-boss's own pool: `boss.getDb()`). */
export interface QueueSql {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** QueueSql over a plain pg pool (inline runs, scripts and tests without a running pg-boss). */
export function poolSql(pool: { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }): QueueSql {
  return { executeSql: (text, values) => pool.query(text, values) };
}

/** What a job's context offers: exactly-once effects for this job. */
export interface SideEffects {
  /**
   * Performs `effect` once for this job, across attempts. `perform` gets the job's idempotency key
   * for that effect (a UUID); its result must be JSON and is what later attempts get back.
   */
  once<T>(effect: string, perform: (idempotencyKey: string) => Promise<T>): Promise<SideEffectResult<T>>;
}

export interface SideEffectResult<T> {
  readonly value: T;
  /** True when an earlier attempt performed it and this one only read the record. */
  readonly replayed: boolean;
}

export interface SideEffectStore {
  /** Creates the table when the worker manages its queue schema; checks it is there otherwise. */
  install(options: { readonly migrate: boolean }): Promise<void>;
  /** The side effects of one job (its name and pg-boss id), checked against `signal` before acting. */
  forJob(job: { readonly name: string; readonly id: string; readonly signal: AbortSignal; readonly log: Logger }): SideEffects;
  /** Forgets records older than the retention; a job that old can no longer be retried. */
  prune(): Promise<number>;
}

/** Defaults of the store. */
export const sideEffectDefaults = {
  /** How long a record is kept: as long as a dead letter, which can be redriven within it. */
  retentionSeconds: 30 * 24 * 3600,
  /** Tries to write a record after the effect happened; the effect is not repeated meanwhile. */
  recordAttempts: 5,
  /** First pause between those tries (ms), doubled each time: 0.2 + 0.4 + 0.8 + 1.6 = 3 s in all. */
  recordRetryDelayMs: 200,
} as const;

/** The table's DDL, also printed by `npm run queue:sql` for DBAs who run with QUEUE_MIGRATE=false. */
export function sideEffectTableSql(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.side_effect (
  job_name text NOT NULL,
  job_id text NOT NULL,
  effect text NOT NULL,
  idempotency_key uuid NOT NULL,
  result jsonb NOT NULL,
  created_on timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_name, job_id, effect)
);
CREATE INDEX IF NOT EXISTS side_effect_created_on_idx ON ${quoteIdent(schema)}.side_effect (created_on);`;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The idempotency key of one effect of one job: a UUID (Brevo insists on one) derived from the job's
 * name and id and the effect's name, so every attempt of the job, in any process, sends the same key.
 */
export function idempotencyKey(jobName: string, jobId: string, effect: string): string {
  const bytes = createHash('sha256').update(`${jobName}\u0000${jobId}\u0000${effect}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8: a custom, name-derived UUID
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The effect was attempted while the job was already being stopped: nothing was done. */
function abortedBeforeEffect(effect: string, signal: AbortSignal): RetryableJobError {
  return new RetryableJobError('JOB_ABORTED', `job stopped before "${effect}" (${String(signal.reason ?? 'aborted')}); nothing was done`, {
    cause: signal.reason,
  });
}

export function createSideEffectStore(sqlRunner: () => QueueSql, schema: string): SideEffectStore {
  const table = `${quoteIdent(schema)}.side_effect`;
  const run = (text: string, values?: unknown[]) => sqlRunner().executeSql(text, values);

  /** Writes the record, retrying through a passing database fault: the effect already happened. */
  async function record(jobName: string, jobId: string, effect: string, key: string, value: unknown, log: Logger): Promise<void> {
    let delay: number = sideEffectDefaults.recordRetryDelayMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await run(
          `INSERT INTO ${table} (job_name, job_id, effect, idempotency_key, result) VALUES ($1, $2, $3, $4, $5::jsonb)
           ON CONFLICT (job_name, job_id, effect) DO NOTHING`,
          [jobName, jobId, effect, key, JSON.stringify(value ?? null)],
        );
        return;
      } catch (error) {
        if (attempt >= sideEffectDefaults.recordAttempts) {
          throw new RetryableJobError(
            'SIDE_EFFECT_NOT_RECORDED',
            `"${effect}" happened but could not be recorded (${error instanceof Error ? error.message : String(error)}); the retry repeats it with the same idempotency key`,
            { cause: error },
          );
        }
        log.warn({ err: error, effect, attempt }, 'could not record a side effect yet; trying again');
        await sleep(delay);
        delay *= 2;
      }
    }
  }

  return {
    async install({ migrate }) {
      if (migrate) {
        await run(sideEffectTableSql(schema));
        return;
      }
      const { rows } = await run(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${quoteIdent(schema)}.side_effect`]);
      if ((rows[0] as { present?: boolean } | undefined)?.present !== true) {
        throw new Error(`the table ${schema}.side_effect is missing and QUEUE_MIGRATE=false: apply the SQL printed by \`npm run queue:sql -- --schema ${schema}\``);
      }
    },
    forJob({ name, id, signal, log }) {
      return {
        async once(effect, perform) {
          signal.throwIfAborted();
          const { rows } = await run(`SELECT result FROM ${table} WHERE job_name = $1 AND job_id = $2 AND effect = $3`, [name, id, effect]);
          const existing = rows[0] as { result: unknown } | undefined;
          if (existing) return { value: existing.result as never, replayed: true };
          // Last look before acting: a job handed back for retry must not act any more.
          if (signal.aborted) throw abortedBeforeEffect(effect, signal);
          const key = idempotencyKey(name, id, effect);
          const value = await perform(key);
          await record(name, id, effect, key, value, log);
          return { value, replayed: false };
        },
      };
    },
    async prune() {
      const { rows } = await run(`WITH gone AS (DELETE FROM ${table} WHERE created_on < now() - make_interval(secs => $1) RETURNING 1) SELECT count(*)::int AS n FROM gone`, [
        sideEffectDefaults.retentionSeconds,
      ]);
      return (rows[0] as { n: number } | undefined)?.n ?? 0;
    },
  };
}

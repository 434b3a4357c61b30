/**
 * Writes pg-boss's outcome back to the `oban_jobs` rows the inbox enqueued, as Oban would, so the
 * owner's admin page shows the truth. Set-based: per target and poll, one read of its in-flight
 * rows, one read of their jobs in the queue, and one update of the rows that changed. (A sync's
 * `sync_job_execution."obanJobId"` is written by the sync itself when its run opens: sync-runs.ts.)
 *
 * pg-boss → `oban_jobs`:
 * - created / active: `executing`, `attempt` = the attempt running;
 * - retry: still `executing` (pg-boss owns the retry; `retryable` would let Oban's stager take the
 *   row while both services run), the failed attempt appended to `errors`;
 * - completed: `completed` + `completed_at`;
 * - failed (retries exhausted, a permanent failure, dead-lettered): `discarded` + `discarded_at`;
 * - cancelled: `cancelled` + `cancelled_at`.
 * Each failed attempt is one `errors` entry `{at, attempt, error}`.
 */
import { sql } from 'kysely';
import type pg from 'pg';
import type { Json } from '../db/types.generated.ts';
import { CLAIMED_BY, obanError, type ClaimedRow } from './claim.ts';
import { inboxJobId } from './job-id.ts';
import { ownerSql, runQuery, utcNow, type ObanJobState, type SqlRunner } from '../db/owner-sql.ts';

export interface InFlightRow extends ClaimedRow {
  /** Entries already in `errors`. */
  readonly errorCount: number;
}

/** A pg-boss job as the outcome writer reads it. */
export interface QueueJob {
  readonly id: string;
  readonly name: string;
  readonly state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  readonly retryCount: number;
  readonly output: unknown;
}

/** Checks at compile time that each state the outcome writer sets is a label the contract holds. */
type ContractStates<States extends ObanJobState> = States;

export type ObanState = ContractStates<'executing' | 'completed' | 'discarded' | 'cancelled'>;

const EXECUTING: ObanJobState = 'executing';

export interface RowUpdate {
  readonly id: number;
  readonly state: ObanState;
  readonly attempt: number;
  readonly newErrors: readonly { at: string; attempt: number; error: string }[];
}

/** The message of a failed attempt, from what the runner (or pg-boss's monitor) stored as output. */
export function errorText(output: unknown): string {
  if (output && typeof output === 'object') {
    const record = output as Record<string, unknown>;
    const error = record.error as Record<string, unknown> | undefined;
    if (error && typeof error === 'object' && typeof error.message === 'string') {
      return typeof error.code === 'string' && error.code !== '' ? `${error.code}: ${error.message}` : error.message;
    }
    const value = record.value as Record<string, unknown> | undefined;
    if (value && typeof value === 'object' && typeof value.message === 'string') return value.message;
    if (typeof record.message === 'string') return record.message;
  }
  return output === null || output === undefined ? 'failed (no error recorded)' : JSON.stringify(output);
}

/**
 * What the row should become given its job (pure). pg-boss counts `retry_count` up as each retry
 * starts, so failed attempts are `retry_count + 1` once the job is in retry or failed, and
 * `retry_count` while it is created, active, completed or cancelled. Returns undefined when nothing changed.
 */
export function rowUpdateFor(row: InFlightRow, job: QueueJob, now: Date = new Date()): RowUpdate | undefined {
  const failedAttempts = job.state === 'retry' || job.state === 'failed' ? job.retryCount + 1 : job.retryCount;
  const started = job.state !== 'created' || job.retryCount > 0;
  const attempt = Math.max(row.attempt, started ? job.retryCount + 1 : row.attempt);
  const newErrors: { at: string; attempt: number; error: string }[] = [];
  // Only the last failure's message is kept by pg-boss; an earlier one missed between polls gets it too.
  for (let failed = row.errorCount + 1; failed <= failedAttempts; failed += 1) newErrors.push(obanError(failed, errorText(job.output), now));
  const state: ObanState =
    job.state === 'completed' ? 'completed' : job.state === 'failed' ? 'discarded' : job.state === 'cancelled' ? 'cancelled' : 'executing';
  if (state === 'executing' && newErrors.length === 0 && attempt === row.attempt) return undefined;
  return { id: row.id, state, attempt, newErrors };
}

/** The rows of this target this worker claimed that have not finished. */
export async function readInFlight(pool: SqlRunner): Promise<InFlightRow[]> {
  const query = ownerSql
    .selectFrom('oban_jobs')
    .select(['id', 'worker', 'queue', 'args', 'attempt', 'max_attempts', sql<number>`coalesce(cardinality(errors), 0)`.as('error_count')])
    .where('state', '=', EXECUTING)
    .where(sql<string>`attempted_by[1]`, '=', CLAIMED_BY)
    .orderBy('id');
  const { rows } = await runQuery(pool, query);
  return rows.map((row) => ({
    id: Number(row.id),
    worker: row.worker,
    queue: row.queue,
    args: row.args,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    errorCount: row.error_count,
  }));
}

interface RawJob {
  id: string;
  name: string;
  state: QueueJob['state'];
  retry_count: number;
  output: unknown;
}

/** The jobs of these ids, in one statement. */
export async function readJobs(queuePool: pg.Pool, queueSchema: string, ids: readonly string[]): Promise<Map<string, QueueJob>> {
  if (ids.length === 0) return new Map();
  const { rows } = await queuePool.query<RawJob>(
    `SELECT id::text AS id, name, state::text AS state, retry_count, output FROM ${quoteIdent(queueSchema)}.job WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, { id: row.id, name: row.name, state: row.state, retryCount: row.retry_count, output: row.output }]));
}

/** The job a snoozed one was re-sent as (the runner's `snoozedAs` output), when this one was snoozed. */
function snoozedAs(job: QueueJob): string | undefined {
  if (job.state !== 'completed' || !job.output || typeof job.output !== 'object') return undefined;
  const next = (job.output as Record<string, unknown>).snoozedAs;
  return typeof next === 'string' ? next : undefined;
}

/** How many snoozes in a row are followed in one pass; a longer chain is followed on the next passes. */
const MAX_SNOOZE_HOPS = 10;

/**
 * Replaces each snoozed job by the job it was re-sent as, hop by hop (one read per hop, for all rows
 * at once), so a row stays `executing` until the last job of its chain ends. The failed attempts of
 * the chain add up (a snooze spends none), so `errors` and `attempt` count across it.
 */
export async function followSnoozes(queuePool: pg.Pool, queueSchema: string, jobs: ReadonlyMap<string, QueueJob>): Promise<Map<string, QueueJob>> {
  const effective = new Map(jobs);
  for (let hop = 0; hop < MAX_SNOOZE_HOPS; hop += 1) {
    const pending = [...effective].flatMap(([rowJobId, job]) => {
      const next = snoozedAs(job);
      return next ? [{ rowJobId, job, next }] : [];
    });
    if (pending.length === 0) break;
    const nextJobs = await readJobs(queuePool, queueSchema, pending.map((entry) => entry.next));
    for (const { rowJobId, job, next } of pending) {
      const found = nextJobs.get(next);
      // Not there (yet, or pruned): the snoozed job stands in, still running as far as the row is concerned.
      effective.set(rowJobId, found ? { ...found, retryCount: job.retryCount + found.retryCount } : { ...job, state: 'created' });
    }
  }
  return effective;
}

/** One `jsonb_to_recordset` row of applyRowUpdates. */
interface UpdateRecord {
  id: string;
  state: ObanState;
  attempt: number;
  new_errors: Json;
}

/** Applies the updates in one statement; a row no longer `executing` (pruned, changed by hand) is left alone. */
export async function applyRowUpdates(pool: SqlRunner, updates: readonly RowUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  const records = JSON.stringify(updates.map((update) => ({ id: update.id, state: update.state, attempt: update.attempt, new_errors: update.newErrors })));
  const query = ownerSql
    .updateTable('oban_jobs as j')
    .from(sql<UpdateRecord>`jsonb_to_recordset(${records}::jsonb)`.as<'u'>(sql`u(id bigint, state text, attempt int, new_errors jsonb)`))
    // A plain object where no expression builder is needed: TypeScript then refuses a column the contract lacks.
    .set({
      state: sql<ObanState>`u.state::oban_job_state`,
      errors: sql<Json[]>`coalesce(j.errors, ARRAY[]::jsonb[]) || ARRAY(SELECT jsonb_array_elements(u.new_errors))`,
    })
    .set((eb) => {
      // `timezone('UTC', now())` when the row turns `state`, else the column as it is.
      const stampWhen = (state: ObanState, column: 'j.completed_at' | 'j.discarded_at' | 'j.cancelled_at') =>
        eb.case().when('u.state', '=', sql.lit(state)).then(utcNow).else(eb.ref(column)).end();
      return {
        attempt: eb.fn<number>('greatest', [eb.ref('j.attempt'), eb.ref('u.attempt')]),
        completed_at: stampWhen('completed', 'j.completed_at'),
        discarded_at: stampWhen('discarded', 'j.discarded_at'),
        cancelled_at: stampWhen('cancelled', 'j.cancelled_at'),
      };
    })
    .whereRef('j.id', '=', 'u.id')
    .where('j.state', '=', EXECUTING);
  await runQuery(pool, query);
}

export interface OutcomePass {
  readonly updated: readonly RowUpdate[];
  /** In-flight rows whose job the queue does not hold. */
  readonly missing: readonly InFlightRow[];
}

/** One outcome pass over a target: read, compare, write back. */
export async function writeOutcomes(target: { name: string; pool: pg.Pool }, queuePool: pg.Pool, queueSchema: string): Promise<OutcomePass> {
  const rows = await readInFlight(target.pool);
  if (rows.length === 0) return { updated: [], missing: [] };
  const idOf = new Map(rows.map((row) => [row.id, inboxJobId(target.name, row.id)]));
  const jobs = await followSnoozes(queuePool, queueSchema, await readJobs(queuePool, queueSchema, [...idOf.values()]));
  const updates: RowUpdate[] = [];
  const missing: InFlightRow[] = [];
  const now = new Date();
  for (const row of rows) {
    const jobId = idOf.get(row.id)!;
    const job = jobs.get(jobId);
    if (!job) {
      missing.push(row);
      continue;
    }
    const update = rowUpdateFor(row, job, now);
    if (update) updates.push(update);
  }
  await applyRowUpdates(target.pool, updates);
  return { updated: updates, missing };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

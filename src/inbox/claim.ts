/**
 * Claims available `oban_jobs` rows of one target inside the caller's transaction, as Oban's own
 * producer does: `FOR UPDATE SKIP LOCKED` on the owner's `(state, queue, priority, scheduled_at, id)`
 * index, so several worker processes never take the same row; state `executing`, `attempted_at`,
 * `attempt + 1`, `attempted_by`.
 */
import { sql } from 'kysely';
import type { Json } from '../db/types.generated.ts';
import { ownerSql, runQuery, utcNow, type ObanJobState, type SqlRunner } from '../db/owner-sql.ts';

/** `attempted_by[1]` of every row this worker claimed: how the outcome writer finds its rows. */
export const CLAIMED_BY = 'trademachine-worker';

const AVAILABLE: ObanJobState = 'available';
const EXECUTING: ObanJobState = 'executing';
const DISCARDED: ObanJobState = 'discarded';

export interface ClaimedRow {
  readonly id: number;
  readonly worker: string;
  readonly queue: string;
  readonly args: unknown;
  /** After the claim: 1 for the first. */
  readonly attempt: number;
  readonly maxAttempts: number;
}

export interface ClaimOptions {
  /** The queues polled (those of the worker strings taken). */
  readonly queues: readonly string[];
  /** The worker strings taken. */
  readonly workers: readonly string[];
  /** Every worker string known: a row in a polled queue naming none of them is claimed, to be discarded. */
  readonly knownWorkers: readonly string[];
  /** This host, in `attempted_by`. */
  readonly host: string;
  /** Most rows per claim. */
  readonly limit: number;
}

/** The one atomic claim: pick due rows `FOR UPDATE SKIP LOCKED` in a CTE, update them, return them. */
function claimQuery(options: ClaimOptions) {
  return ownerSql
    .with('picked', (db) =>
      db
        .selectFrom('oban_jobs')
        .select('id')
        .where('state', '=', AVAILABLE)
        .where('queue', '=', sql<string>`any(${[...options.queues]}::text[])`)
        .where('scheduled_at', '<=', utcNow)
        .where((eb) => eb.or([eb('worker', '=', sql<string>`any(${[...options.workers]}::text[])`), eb('worker', '<>', sql<string>`all(${[...options.knownWorkers]}::text[])`)]))
        .orderBy('priority')
        .orderBy('scheduled_at')
        .orderBy('id')
        .limit(options.limit)
        .forUpdate()
        .skipLocked(),
    )
    .updateTable('oban_jobs as j')
    .from('picked')
    // Plain objects where no expression builder is needed: TypeScript then refuses a column the contract lacks.
    .set({ state: EXECUTING, attempted_at: utcNow, attempted_by: sql<string[]>`ARRAY[${CLAIMED_BY}::text, ${options.host}::text]` })
    .set((eb) => ({ attempt: eb('j.attempt', '+', sql.lit(1)) }))
    .whereRef('j.id', '=', 'picked.id')
    .returning(['j.id', 'j.worker', 'j.queue', 'j.args', 'j.attempt', 'j.max_attempts']);
}

/** Claims up to `limit` due rows; the caller's transaction commits or rolls back the claim. */
export async function claimRows(client: SqlRunner, options: ClaimOptions): Promise<ClaimedRow[]> {
  const { rows } = await runQuery(client, claimQuery(options));
  return rows
    .map((row) => ({ id: Number(row.id), worker: row.worker, queue: row.queue, args: row.args, attempt: row.attempt, maxAttempts: row.max_attempts }))
    .sort((a, b) => a.id - b.id);
}

/** An Oban error entry: `{at, attempt, error}`. */
export function obanError(attempt: number, error: string, at: Date = new Date()): { at: string; attempt: number; error: string } {
  return { at: at.toISOString(), attempt, error };
}

/** Discards rows at once with their error appended (untranslatable rows), in the caller's transaction. */
export async function discardRows(client: SqlRunner, discards: readonly { id: number; attempt: number; error: string }[]): Promise<void> {
  if (discards.length === 0) return;
  const entries = discards.map((entry) => ({ id: entry.id, error: obanError(entry.attempt, entry.error) }));
  const query = ownerSql
    .updateTable('oban_jobs as j')
    .from(sql<{ id: string; error: Json }>`jsonb_to_recordset(${JSON.stringify(entries)}::jsonb)`.as<'u'>(sql`u(id bigint, error jsonb)`))
    .set({
      state: DISCARDED,
      discarded_at: utcNow,
      errors: sql<Json[]>`coalesce(j.errors, ARRAY[]::jsonb[]) || ARRAY[u.error]`,
    })
    .whereRef('j.id', '=', 'u.id');
  await runQuery(client, query);
}

/**
 * Hands rows back, due again after `delaySeconds`, their attempt not spent: for a row whose job the
 * queue's policy refused for now (a sync already queued), so it runs after the one before it, as
 * Oban ran duplicate syncs one after another.
 */
export async function releaseRows(client: SqlRunner, ids: readonly number[], delaySeconds: number): Promise<void> {
  if (ids.length === 0) return;
  const query = ownerSql
    .updateTable('oban_jobs')
    .set({ state: AVAILABLE, scheduled_at: sql<Date>`${utcNow} + make_interval(secs => ${delaySeconds})` })
    .set((eb) => ({ attempt: eb.fn<number>('greatest', [eb('attempt', '-', sql.lit(1)), sql.lit(0)]) }))
    .where('id', '=', sql<string>`any(${[...ids]}::bigint[])`);
  await runQuery(client, query);
}

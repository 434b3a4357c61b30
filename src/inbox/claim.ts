/**
 * Claims available `oban_jobs` rows of one target inside the caller's transaction, as Oban's own
 * producer does: `FOR UPDATE SKIP LOCKED` on the owner's `(state, queue, priority, scheduled_at, id)`
 * index, so several worker processes never take the same row; state `executing`, `attempted_at`,
 * `attempt + 1`, `attempted_by`.
 */
import type pg from 'pg';

/** `attempted_by[1]` of every row this worker claimed: how the outcome writer finds its rows. */
export const CLAIMED_BY = 'trademachine-worker';

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

interface RawRow {
  id: string;
  worker: string;
  queue: string;
  args: unknown;
  attempt: number;
  max_attempts: number;
}

/** Claims up to `limit` due rows; the caller's transaction commits or rolls back the claim. */
export async function claimRows(client: pg.ClientBase, options: ClaimOptions): Promise<ClaimedRow[]> {
  const { rows } = await client.query<RawRow>(
    `WITH picked AS (
       SELECT id FROM oban_jobs
        WHERE state = 'available'
          AND queue = ANY($1::text[])
          AND scheduled_at <= timezone('UTC', now())
          AND (worker = ANY($2::text[]) OR worker <> ALL($3::text[]))
        ORDER BY priority, scheduled_at, id
        LIMIT $4
        FOR UPDATE SKIP LOCKED
     )
     UPDATE oban_jobs AS j
        SET state = 'executing',
            attempted_at = timezone('UTC', now()),
            attempt = j.attempt + 1,
            attempted_by = ARRAY[$5::text, $6::text]
       FROM picked
      WHERE j.id = picked.id
     RETURNING j.id::text AS id, j.worker, j.queue, j.args, j.attempt, j.max_attempts`,
    [options.queues, options.workers, options.knownWorkers, options.limit, CLAIMED_BY, options.host],
  );
  return rows
    .map((row) => ({ id: Number(row.id), worker: row.worker, queue: row.queue, args: row.args, attempt: row.attempt, maxAttempts: row.max_attempts }))
    .sort((a, b) => a.id - b.id);
}

/** An Oban error entry: `{at, attempt, error}`. */
export function obanError(attempt: number, error: string, at: Date = new Date()): { at: string; attempt: number; error: string } {
  return { at: at.toISOString(), attempt, error };
}

/** Discards rows at once with their error appended (untranslatable rows), in the caller's transaction. */
export async function discardRows(client: pg.ClientBase, discards: readonly { id: number; attempt: number; error: string }[]): Promise<void> {
  if (discards.length === 0) return;
  const entries = discards.map((entry) => ({ id: entry.id, error: obanError(entry.attempt, entry.error) }));
  await client.query(
    `UPDATE oban_jobs AS j
        SET state = 'discarded',
            discarded_at = timezone('UTC', now()),
            errors = coalesce(j.errors, ARRAY[]::jsonb[]) || ARRAY[u.error]
       FROM jsonb_to_recordset($1::jsonb) AS u(id bigint, error jsonb)
      WHERE j.id = u.id`,
    [JSON.stringify(entries)],
  );
}

/**
 * Hands rows back, due again after `delaySeconds`, their attempt not spent: for a row whose job the
 * queue's policy refused for now (a sync already queued), so it runs after the one before it, as
 * Oban ran duplicate syncs one after another.
 */
export async function releaseRows(client: pg.ClientBase, ids: readonly number[], delaySeconds: number): Promise<void> {
  if (ids.length === 0) return;
  await client.query(
    `UPDATE oban_jobs
        SET state = 'available',
            attempt = greatest(attempt - 1, 0),
            scheduled_at = timezone('UTC', now()) + make_interval(secs => $2)
      WHERE id = ANY($1::bigint[])`,
    [ids, delaySeconds],
  );
}

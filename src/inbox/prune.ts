import type pg from 'pg';

/**
 * Deletes finished rows (completed, discarded, cancelled) that finished more than `hours` ago, at
 * most `limit` a pass, as Oban's pruner did (48 h). Returns how many it deleted.
 */
export async function pruneFinished(pool: pg.Pool, hours: number, limit = 1000): Promise<number> {
  const { rowCount } = await pool.query(
    `DELETE FROM oban_jobs WHERE id IN (
       SELECT id FROM oban_jobs
        WHERE state IN ('completed', 'discarded', 'cancelled')
          AND coalesce(completed_at, discarded_at, cancelled_at, attempted_at, inserted_at) < timezone('UTC', now()) - make_interval(hours => $1)
        LIMIT $2)`,
    [hours, limit],
  );
  return rowCount ?? 0;
}

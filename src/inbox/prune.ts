import { sql } from 'kysely';
import { ownerSql, runQuery, utcNow, type ObanJobState, type SqlRunner } from '../db/owner-sql.ts';

/** The states a row ends in; only such rows are pruned. */
const FINISHED: readonly ObanJobState[] = ['completed', 'discarded', 'cancelled'];

/**
 * Deletes finished rows (completed, discarded, cancelled) that finished more than `hours` ago, at
 * most `limit` a pass, as Oban's pruner did (48 h). Returns how many it deleted.
 */
export async function pruneFinished(pool: SqlRunner, hours: number, limit = 1000): Promise<number> {
  const query = ownerSql.deleteFrom('oban_jobs').where('id', 'in', (eb) =>
    eb
      .selectFrom('oban_jobs')
      .select('id')
      .where('state', 'in', FINISHED)
      .where((inner) =>
        inner(inner.fn.coalesce('completed_at', 'discarded_at', 'cancelled_at', 'attempted_at', 'inserted_at'), '<', sql<Date>`${utcNow} - make_interval(hours => ${hours})`),
      )
      .limit(limit),
  );
  const { rowCount } = await runQuery(pool, query);
  return rowCount;
}

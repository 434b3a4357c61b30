import type { Transaction } from 'kysely';
import type { FullOwnerDb } from '../../src/db/database.ts';
import type { DB } from '../../src/db/types.generated.ts';
import { seedTables, type SeedLeague, type SeedRow, type SeedTable } from './seed-league.ts';

/** Rows inserted per table by one run; zero everywhere when the league was already there. */
export type SeedCounts = Record<SeedTable, number>;

/** The database already holds a row the seed would clash with on a unique key other than the id. */
export class SeedConflictError extends Error {
  override name = 'SeedConflictError';
  readonly code = 'SEED_CONFLICT';
}

const ROWS_PER_STATEMENT = 200;

/**
 * JSON columns take text: node-postgres would send a JS array as a Postgres array literal,
 * which a jsonb column refuses.
 */
function forPostgres<T extends object>(row: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] = value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value;
  }
  return out as T;
}

async function insertMissing<Table extends SeedTable>(trx: Transaction<DB>, table: Table, rows: readonly SeedRow<Table>[]): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT).map(forPostgres);
    const result = await trx
      .insertInto(table)
      .values(chunk)
      .onConflict((conflict) => conflict.column('id').doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
  return inserted;
}

function isUniqueViolation(error: unknown): error is { detail?: string; table?: string } {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

/**
 * Inserts every seeded row that is not there yet (by id), in one transaction: a second run
 * changes nothing, and rows you edited since keep your edits. A clash with a row the seed did not
 * make (say, another team with ESPN id 3) rolls everything back with a SeedConflictError.
 */
export async function writeLeague(db: FullOwnerDb, league: SeedLeague): Promise<SeedCounts> {
  return db.transaction().execute(async (trx) => {
    const counts = {} as SeedCounts;
    for (const table of seedTables) {
      try {
        counts[table] = await insertMissing(trx, table, league[table]);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new SeedConflictError(
          `the database already holds a "${error.table ?? table}" row the seed did not make (${error.detail ?? 'unique key'}); seed an empty dev database or remove that row`,
          { cause: error },
        );
      }
    }
    return counts;
  });
}

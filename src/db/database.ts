import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { DB } from './types.generated.ts';
import type { OwnerDB } from './owner-contract.ts';

const TIMESTAMP_WITHOUT_TIME_ZONE = 1114;

/**
 * The owner writes `timestamp without time zone` in UTC; pg would read it in the process's local
 * zone. Parse it as UTC whatever TZ is, so dates round-trip on any machine.
 */
pg.types.setTypeParser(TIMESTAMP_WITHOUT_TIME_ZONE, (value) => new Date(`${value.replace(' ', 'T')}Z`));
// And the other way: pg would serialise a Date in local time, which a zone-less column keeps as is.
pg.defaults.parseInputDatesAsUTC = true;

/**
 * What the jobs query: the owner's schema restricted to the contract (src/db/owner-contract.ts),
 * so a column the worker starts to use must first be declared there and then checked for drift.
 */
export type OwnerDb = Kysely<OwnerDB>;

/** The owner's whole schema: only for tests and fixtures that play the owner (seeding rows). */
export type FullOwnerDb = Kysely<DB>;

export interface DatabaseOptions {
  readonly url: string;
  /** Pool size. Default: 10. */
  readonly poolMax?: number;
  /** Shown in pg_stat_activity, so DBAs can tell the worker's connections apart. */
  readonly applicationName?: string;
  /** The owner's schema; queries name tables unqualified. Default: public. */
  readonly schema?: string;
  /**
   * Called when an idle pooled connection fails (server restart, network). The pool drops that
   * connection and carries on; without a listener the error would crash the process.
   */
  readonly onIdleError?: (error: Error) => void;
}

/**
 * A pool for one owner database and the Kysely instance over it; destroy() closes the pool.
 * Typed by the contract unless a test asks for the whole schema (`createOwnerDb<DB>`).
 */
export function createOwnerDb<Database = OwnerDB>(options: DatabaseOptions): { db: Kysely<Database>; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    application_name: options.applicationName ?? 'trademachine-worker',
    // Write timestamps in UTC too, since the columns carry no zone; find the owner's tables first.
    options: `-c timezone=UTC -c search_path=${options.schema ?? 'public'}`,
  });
  const onError = options.onIdleError ?? (() => {});
  pool.on('error', onError);
  // The pool listens for errors only on idle clients and takes that listener off a client it hands
  // out; a connection that dies while checked out (a restart, pg_terminate_backend) then emits an
  // 'error' nobody hears, which crashes the process. Its query rejects with the same error, so a
  // listener for the whole life of each client is all it takes.
  pool.on('connect', (client) => client.on('error', onError));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}

/**
 * Closes both: Kysely only ends a pool it has used, and a pool someone queried directly would
 * otherwise keep its connections open.
 */
export async function closeOwnerDb<Database>(handle: { db: Kysely<Database>; pool: pg.Pool }): Promise<void> {
  await handle.db.destroy();
  if (!handle.pool.ended) await handle.pool.end();
}

/**
 * The inbox's statements on the owner's tables, typed by the contract (`OwnerDB`) yet run on the pg
 * client or pool the inbox already holds.
 *
 * Why a compile-only Kysely rather than `createOwnerDb`'s instance: a poll's claim, its reset-token
 * read, pg-boss's `send(…, { db })` (whose `executeSql(text, values)` must run on the claim's
 * connection) and the discards all happen in ONE transaction on ONE pg client. Keeping that client
 * and compiling each typed query to `{ sql, parameters }` keeps that property with no adapter
 * between Kysely's connection and pg-boss, and changes no signature the poll loop (enqueue.ts,
 * inbox.ts) relies on. Typing by the contract means a column or label the inbox uses and the
 * contract lacks does not compile, so the drift check guards exactly what these statements touch.
 */
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type Compilable } from 'kysely';
import type pg from 'pg';
import type { ContractEnumLabel, OwnerDB } from './owner-contract.ts';

/** Builds queries only: it has no connection, so executing through it is impossible by construction. */
export const ownerSql = new Kysely<OwnerDB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** A pg client or pool: whatever the caller's transaction (or lack of one) runs on. */
export interface SqlRunner {
  query(text: string, values: unknown[]): Promise<pg.QueryResult>;
}

/** The `oban_jobs.state` labels the contract lets the inbox write or filter on. */
export type ObanJobState = ContractEnumLabel<'oban_job_state'>;

/** `timezone('UTC', now())`: Oban's clock, since the timestamp columns carry no zone. */
export const utcNow = sql<Date>`timezone('UTC', now())`;

/** Runs a typed query on the caller's connection, so it joins whatever transaction that connection is in. */
export async function runQuery<Row>(runner: SqlRunner, query: Compilable<Row>): Promise<{ rows: Row[]; rowCount: number }> {
  const compiled = query.compile();
  const result = await runner.query(compiled.sql, [...compiled.parameters]);
  // The rows are what the compiled query selects; Kysely's own driver trusts pg the same way.
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
}

/**
 * A job's view of an owner database whose queries obey the job's AbortSignal. When pg-boss hands a
 * job back (shutdown, expiry), a query still waiting (on a lock, on a slow scan) is cancelled on
 * the server with pg_cancel_backend, and no new query starts: nothing is written after the job
 * was given up. Kysely 0.29 can take a signal per call (`execute({ signal })`), but every call
 * site would have to remember it; this sits at the pool instead, so every query a job makes obeys
 * its signal without saying so: the dialect asks it for connections, and each connection's
 * query() watches the signal.
 */
import { Kysely, PostgresDialect, type PostgresCursor, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { RetryableJobError } from '../jobs/outcomes.ts';

/** A query refused or cancelled because the job was stopped. */
export function queryAborted(signal: AbortSignal, cause?: unknown): RetryableJobError {
  return new RetryableJobError('JOB_ABORTED', `database query stopped: the job was stopped (${String(signal.reason ?? 'aborted')})`, { cause: cause ?? signal.reason });
}

/** Asks the server to cancel whatever the backend `pid` is running, on a connection of its own. */
async function cancelBackend(pool: pg.Pool, pid: number): Promise<void> {
  // A pool connection could be the very thing we are short of; a fresh client never waits for one.
  const client = new pg.Client({ ...pool.options, application_name: 'trademachine-worker:cancel', connectionTimeoutMillis: 2000 });
  client.on('error', () => {}); // a dropped connection rejects the query below; nothing else to do
  try {
    await client.connect();
    await client.query('SELECT pg_cancel_backend($1)', [pid]);
  } finally {
    await client.end().catch(() => {});
  }
}

type PgClientInternals = pg.PoolClient & { processID?: number };

function boundClient(pool: pg.Pool, client: pg.PoolClient, signal: AbortSignal): PostgresPoolClient {
  // Once a cancel went out for this connection, it must not serve anyone else: a late cancel would
  // hit another job's query. release() then closes it instead of returning it to the pool.
  let cancelSent = false;
  const query = async (sql: string, parameters: readonly unknown[]) => {
    if (signal.aborted) throw queryAborted(signal);
    const onAbort = () => {
      const pid = (client as PgClientInternals).processID;
      if (pid === undefined) return;
      cancelSent = true;
      cancelBackend(pool, pid).catch(() => {
        // The server is unreachable: then the query fails on its own.
      });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await client.query(sql, [...parameters]);
    } catch (error) {
      if (signal.aborted) throw queryAborted(signal, error);
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
  return {
    query: ((sqlOrCursor: string | PostgresCursor<unknown>, parameters?: readonly unknown[]) => {
      // Cursors (Kysely's stream()) are not used by jobs; they pass through unwatched.
      if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as never);
      return query(sqlOrCursor, parameters ?? []);
    }) as unknown as PostgresPoolClient['query'],
    release: () => client.release(cancelSent),
  };
}

function boundPool(pool: pg.Pool, signal: AbortSignal): PostgresPool {
  return {
    async connect() {
      if (signal.aborted) throw queryAborted(signal);
      const client = await pool.connect();
      if (signal.aborted) {
        client.release();
        throw queryAborted(signal);
      }
      return boundClient(pool, client, signal);
    },
    // The pool belongs to the process, not to the job: destroying the job's view leaves it open.
    end: async () => {},
    options: pool.options,
  };
}

/** A Kysely over `pool` whose every query obeys `signal`. Cheap: no connections of its own. */
export function signalBoundDb<Database>(pool: pg.Pool, signal: AbortSignal): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: boundPool(pool, signal) }) });
}

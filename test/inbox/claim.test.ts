/**
 * The claim, discard and release statements on real PostgreSQL, in production's schema (public)
 * and in staging's (`staging`, beside it in the same database, picked by the pool's search_path).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { closeOwnerDb, createOwnerDb } from '../../src/db/database.ts';
import { CLAIMED_BY, claimRows, discardRows, releaseRows, type ClaimOptions } from '../../src/inbox/claim.ts';

const EMAIL = 'TradeMachine.Jobs.EmailWorker';
const DISCORD = 'TradeMachine.Jobs.DiscordWorker';
const claim: ClaimOptions = { queues: ['emails'], workers: [EMAIL], knownWorkers: [EMAIL, DISCORD], host: 'test-host', limit: 10 };

let database: TestDatabase;
let staging: ReturnType<typeof createOwnerDb>;

before(async () => {
  database = await createTestDatabase();
  // The template holds staging's schema beside public's (test/support/global-setup.ts).
  staging = createOwnerDb({ url: database.url, schema: 'staging', poolMax: 3 });
});
after(async () => {
  await closeOwnerDb(staging);
  await database.drop();
});

interface Row {
  id: string;
  state: string;
  attempt: number;
  attempted_by: string[] | null;
  attempted: boolean;
  errors: unknown[] | null;
  due_in_seconds: number;
}

/** Inserts rows as the owner does (unqualified: the pool's schema) and returns their ids. */
async function insert(pool: pg.Pool, rows: readonly { queue?: string; worker?: string; priority?: number; dueInSeconds?: number; state?: string; attempt?: number }[]): Promise<string[]> {
  const ids: string[] = [];
  for (const row of rows) {
    const { rows: inserted } = await pool.query<{ id: string }>(
      `INSERT INTO oban_jobs (queue, worker, args, priority, scheduled_at, state, attempt)
       VALUES ($1, $2, '{}', $3, timezone('UTC', now()) + make_interval(secs => $4), $5::oban_job_state, $6) RETURNING id::text AS id`,
      [row.queue ?? 'emails', row.worker ?? EMAIL, row.priority ?? 0, row.dueInSeconds ?? -1, row.state ?? 'available', row.attempt ?? 0],
    );
    ids.push(inserted[0]!.id);
  }
  return ids;
}

async function read(pool: pg.Pool, ids: readonly string[]): Promise<Row[]> {
  const { rows } = await pool.query<Row>(
    `SELECT id::text AS id, state::text AS state, attempt, attempted_by, attempted_at IS NOT NULL AS attempted, errors,
            round(extract(epoch FROM scheduled_at - timezone('UTC', now())))::int AS due_in_seconds
       FROM oban_jobs WHERE id = ANY($1::bigint[]) ORDER BY id`,
    [ids],
  );
  return rows;
}

/** Runs `work` in a transaction on one client of `pool`, as pollTarget does. */
async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, commit = true): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
    return result;
  } finally {
    client.release();
  }
}

async function clear(pool: pg.Pool): Promise<void> {
  await pool.query('DELETE FROM oban_jobs');
}

describe('claimRows', () => {
  test('claims due available rows of the polled queues, taken or unknown workers, by priority, scheduled_at, id', async () => {
    const pool = database.pool;
    await clear(pool);
    const [late, urgent, unknown, notTaken, otherQueue, notDue, retryable] = await insert(pool, [
      { priority: 1, dueInSeconds: -10 },
      { priority: 0, dueInSeconds: -5 },
      { worker: 'TradeMachine.Jobs.Gone', dueInSeconds: -20 },
      { worker: DISCORD },
      { queue: 'discord', worker: DISCORD },
      { dueInSeconds: 600 },
      { state: 'retryable' },
    ]);
    const claimed = await inTransaction(pool, (client) => claimRows(client, { ...claim, limit: 2 }));
    // The limit takes priority 0 first (urgent, unknown by scheduled_at), then returns them by id.
    assert.deepEqual(
      claimed.map((row) => ({ id: String(row.id), worker: row.worker, attempt: row.attempt })),
      [
        { id: urgent, worker: EMAIL, attempt: 1 },
        { id: unknown, worker: 'TradeMachine.Jobs.Gone', attempt: 1 },
      ].sort((a, b) => Number(a.id) - Number(b.id)),
    );
    assert.deepEqual(claimed[0] && Object.keys(claimed[0]).sort(), ['args', 'attempt', 'id', 'maxAttempts', 'queue', 'worker']);
    assert.equal(typeof claimed[0]?.id, 'number');
    assert.equal(claimed[0]?.maxAttempts, 20);
    const rows = await read(pool, [urgent!, unknown!]);
    for (const row of rows) {
      assert.equal(row.state, 'executing');
      assert.equal(row.attempt, 1);
      assert.deepEqual(row.attempted_by, [CLAIMED_BY, 'test-host']);
      assert.ok(row.attempted);
    }
    const next = await inTransaction(pool, (client) => claimRows(client, claim));
    assert.deepEqual(next.map((row) => String(row.id)), [late]);
    const untouched = await read(pool, [notTaken!, otherQueue!, notDue!, retryable!]);
    assert.deepEqual(untouched.map((row) => [row.state, row.attempt, row.attempted_by]), [
      ['available', 0, null],
      ['available', 0, null],
      ['available', 0, null],
      ['retryable', 0, null],
    ]);
  });

  test('a rolled-back transaction undoes the claim', async () => {
    const pool = database.pool;
    await clear(pool);
    const [id] = await insert(pool, [{}]);
    const claimed = await inTransaction(pool, (client) => claimRows(client, claim), false);
    assert.deepEqual(claimed.map((row) => String(row.id)), [id]);
    assert.deepEqual((await read(pool, [id!])).map((row) => [row.state, row.attempt]), [['available', 0]]);
  });

  test('two concurrent claims never take the same row (FOR UPDATE SKIP LOCKED)', async () => {
    const pool = database.pool;
    await clear(pool);
    const ids = await insert(pool, [{}, {}, {}]);
    const first = await pool.connect();
    try {
      await first.query('BEGIN');
      const held = await claimRows(first, { ...claim, limit: 2 });
      // The first transaction still holds its rows locked; the second skips them instead of waiting.
      const other = await inTransaction(pool, (client) => claimRows(client, claim));
      await first.query('COMMIT');
      assert.deepEqual(held.map((row) => String(row.id)), ids.slice(0, 2));
      assert.deepEqual(other.map((row) => String(row.id)), ids.slice(2));
    } finally {
      first.release();
    }
  });

  test('in staging, the pool\'s search_path picks staging.oban_jobs; public\'s rows stay put', async () => {
    await clear(database.pool);
    await clear(staging.pool);
    const [publicRow] = await insert(database.pool, [{}]);
    const [stagingRow] = await insert(staging.pool, [{}]);
    const claimed = await inTransaction(staging.pool, (client) => claimRows(client, claim));
    assert.deepEqual(claimed.map((row) => String(row.id)), [stagingRow]);
    assert.deepEqual((await read(staging.pool, [stagingRow!])).map((row) => row.state), ['executing']);
    assert.deepEqual((await read(database.pool, [publicRow!])).map((row) => row.state), ['available']);
  });
});

describe('discardRows and releaseRows', () => {
  test('discarding appends an Oban error entry and stamps discarded_at', async () => {
    const pool = database.pool;
    await clear(pool);
    const [a, b, untouched] = await insert(pool, [{ state: 'executing', attempt: 1 }, { state: 'executing', attempt: 2 }, { state: 'executing', attempt: 1 }]);
    await pool.query(`UPDATE oban_jobs SET errors = NULL WHERE id = $1`, [a]);
    await pool.query(`UPDATE oban_jobs SET errors = ARRAY['{"attempt":1,"error":"earlier"}'::jsonb] WHERE id = $1`, [b]);
    await inTransaction(pool, (client) =>
      discardRows(client, [
        { id: Number(a), attempt: 1, error: 'unknown worker' },
        { id: Number(b), attempt: 2, error: 'bad args' },
      ]),
    );
    const [rowA, rowB, rowC] = await read(pool, [a!, b!, untouched!]);
    assert.equal(rowA?.state, 'discarded');
    assert.deepEqual((rowA?.errors as { attempt: number; error: string }[]).map(({ attempt, error }) => ({ attempt, error })), [{ attempt: 1, error: 'unknown worker' }]);
    assert.equal(rowB?.state, 'discarded');
    assert.deepEqual((rowB?.errors as { error: string }[]).map((entry) => entry.error), ['earlier', 'bad args']);
    const { rows } = await pool.query<{ stamped: boolean }>('SELECT discarded_at IS NOT NULL AS stamped FROM oban_jobs WHERE id = ANY($1::bigint[]) ORDER BY id', [[a, b, untouched]]);
    assert.deepEqual(rows.map((row) => row.stamped), [true, true, false]);
    assert.equal(rowC?.state, 'executing');
  });

  test('releasing hands rows back, due after the delay, their attempt not spent (never below 0)', async () => {
    const pool = database.pool;
    await clear(pool);
    const [spent, fresh, other] = await insert(pool, [{ state: 'executing', attempt: 2 }, { state: 'executing', attempt: 0 }, { state: 'executing', attempt: 1 }]);
    await inTransaction(pool, (client) => releaseRows(client, [Number(spent), Number(fresh)], 30));
    const rows = await read(pool, [spent!, fresh!, other!]);
    assert.deepEqual(rows.map((row) => [row.state, row.attempt]), [['available', 1], ['available', 0], ['executing', 1]]);
    for (const row of rows.slice(0, 2)) assert.ok(row.due_in_seconds >= 29 && row.due_in_seconds <= 30, `due in ${row.due_in_seconds}s`);
  });
});

/**
 * The outcome writer's statements on real PostgreSQL: reading the rows in flight, the one
 * set-based write-back; plus the pure pg-boss → Oban mapping.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { CLAIMED_BY } from '../../src/inbox/claim.ts';
import { applyRowUpdates, readInFlight, rowUpdateFor, type InFlightRow } from '../../src/inbox/outcomes.ts';

const EMAIL = 'TradeMachine.Jobs.EmailWorker';

let database: TestDatabase;
let pool: pg.Pool;

before(async () => {
  database = await createTestDatabase();
  pool = database.pool;
});
after(async () => {
  await database.drop();
});

/** An `executing` row as a claim leaves it; `by` is attempted_by[1]. */
async function executing(options: { attempt?: number; by?: string; errors?: number; state?: string } = {}): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO oban_jobs (queue, worker, args, state, attempt, attempted_at, attempted_by, errors)
     VALUES ('emails', $1, '{"a":1}', $2::oban_job_state, $3, timezone('UTC', now()), ARRAY[$4::text, 'host'],
             ARRAY(SELECT jsonb_build_object('attempt', n, 'error', 'old') FROM generate_series(1, $5::int) AS n))
     RETURNING id::text AS id`,
    [EMAIL, options.state ?? 'executing', options.attempt ?? 1, options.by ?? CLAIMED_BY, options.errors ?? 0],
  );
  return Number(rows[0]!.id);
}

interface Stored {
  state: string;
  attempt: number;
  errors: { attempt: number; error: string }[] | null;
  completed: boolean;
  discarded: boolean;
  cancelled: boolean;
}

async function stored(id: number): Promise<Stored> {
  const { rows } = await pool.query<Stored>(
    `SELECT state::text AS state, attempt, errors, completed_at IS NOT NULL AS completed, discarded_at IS NOT NULL AS discarded, cancelled_at IS NOT NULL AS cancelled
       FROM oban_jobs WHERE id = $1`,
    [id],
  );
  return rows[0]!;
}

describe('readInFlight', () => {
  test('returns this worker\'s executing rows with their error counts, by id', async () => {
    await pool.query('DELETE FROM oban_jobs');
    const mine = await executing({ attempt: 2, errors: 1 });
    const noErrors = await executing();
    await executing({ by: 'oban-node-1' });
    await executing({ state: 'completed' });
    await pool.query('UPDATE oban_jobs SET errors = NULL WHERE id = $1', [noErrors]);
    const rows = await readInFlight(pool);
    assert.deepEqual(rows, [
      { id: mine, worker: EMAIL, queue: 'emails', args: { a: 1 }, attempt: 2, maxAttempts: 20, errorCount: 1 },
      { id: noErrors, worker: EMAIL, queue: 'emails', args: { a: 1 }, attempt: 1, maxAttempts: 20, errorCount: 0 },
    ]);
  });
});

describe('applyRowUpdates', () => {
  test('writes every outcome in one statement, as Oban would; rows no longer executing are left alone', async () => {
    await pool.query('DELETE FROM oban_jobs');
    const [done, failed, cancelled, retrying, pruned] = [await executing(), await executing({ errors: 1 }), await executing(), await executing(), await executing({ state: 'completed' })];
    const entry = (attempt: number) => ({ at: '2026-01-01T00:00:00.000Z', attempt, error: `boom ${attempt}` });
    await applyRowUpdates(pool, [
      { id: done, state: 'completed', attempt: 1, newErrors: [] },
      { id: failed, state: 'discarded', attempt: 2, newErrors: [entry(2)] },
      { id: cancelled, state: 'cancelled', attempt: 1, newErrors: [] },
      { id: retrying, state: 'executing', attempt: 2, newErrors: [entry(1)] },
      { id: pruned, state: 'discarded', attempt: 3, newErrors: [entry(3)] },
    ]);
    assert.deepEqual(await stored(done), { state: 'completed', attempt: 1, errors: [], completed: true, discarded: false, cancelled: false });
    assert.deepEqual(await stored(failed), { state: 'discarded', attempt: 2, errors: [{ attempt: 1, error: 'old' }, entry(2)], completed: false, discarded: true, cancelled: false });
    assert.deepEqual(await stored(cancelled), { state: 'cancelled', attempt: 1, errors: [], completed: false, discarded: false, cancelled: true });
    assert.deepEqual(await stored(retrying), { state: 'executing', attempt: 2, errors: [entry(1)], completed: false, discarded: false, cancelled: false });
    assert.deepEqual(await stored(pruned), { state: 'completed', attempt: 1, errors: [], completed: false, discarded: false, cancelled: false });
  });

  test('never lowers attempt', async () => {
    const id = await executing({ attempt: 3 });
    await applyRowUpdates(pool, [{ id, state: 'executing', attempt: 2, newErrors: [] }]);
    assert.equal((await stored(id)).attempt, 3);
  });
});

describe('rowUpdateFor (pure)', () => {
  const row: InFlightRow = { id: 7, worker: EMAIL, queue: 'emails', args: {}, attempt: 1, maxAttempts: 3, errorCount: 0 };
  const now = new Date('2026-01-01T00:00:00Z');

  test('a job still created or active on its first attempt changes nothing', () => {
    assert.equal(rowUpdateFor(row, { id: 'j', name: 'email.send', state: 'created', retryCount: 0, output: null }, now), undefined);
    assert.equal(rowUpdateFor(row, { id: 'j', name: 'email.send', state: 'active', retryCount: 0, output: null }, now), undefined);
  });

  test('a retry stays executing with the failed attempt in errors; failed becomes discarded', () => {
    assert.deepEqual(rowUpdateFor(row, { id: 'j', name: 'email.send', state: 'retry', retryCount: 0, output: { message: 'down' } }, now), {
      id: 7,
      state: 'executing',
      attempt: 1,
      newErrors: [{ at: now.toISOString(), attempt: 1, error: 'down' }],
    });
    assert.deepEqual(rowUpdateFor({ ...row, attempt: 2, errorCount: 1 }, { id: 'j', name: 'email.send', state: 'failed', retryCount: 1, output: { message: 'down' } }, now), {
      id: 7,
      state: 'discarded',
      attempt: 2,
      newErrors: [{ at: now.toISOString(), attempt: 2, error: 'down' }],
    });
  });
});

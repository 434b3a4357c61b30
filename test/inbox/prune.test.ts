/**
 * Pruning on real PostgreSQL: only finished rows past the age, at most `limit` a pass, in the
 * schema the pool's search_path names (staging beside public).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { closeOwnerDb, createOwnerDb } from '../../src/db/database.ts';
import { pruneFinished } from '../../src/inbox/prune.ts';

let database: TestDatabase;
let staging: ReturnType<typeof createOwnerDb>;

before(async () => {
  database = await createTestDatabase();
  // The template holds staging's schema beside public's (test/support/global-setup.ts).
  staging = createOwnerDb({ url: database.url, schema: 'staging', poolMax: 2 });
});
after(async () => {
  await closeOwnerDb(staging);
  await database.drop();
});

/** Rows finished (or last touched) `hoursAgo`, by the column Oban's pruner would look at for their state. */
async function insertAged(pool: pg.Pool, rows: readonly { state: string; hoursAgo: number; column?: string }[]): Promise<string[]> {
  const ids: string[] = [];
  for (const row of rows) {
    const column = row.column ?? { completed: 'completed_at', discarded: 'discarded_at', cancelled: 'cancelled_at' }[row.state] ?? 'attempted_at';
    const { rows: inserted } = await pool.query<{ id: string }>(
      `INSERT INTO oban_jobs (queue, worker, state, inserted_at, ${column})
       VALUES ('emails', 'TradeMachine.Jobs.EmailWorker', $1::oban_job_state, timezone('UTC', now()) - interval '100 hours', timezone('UTC', now()) - make_interval(hours => $2))
       RETURNING id::text AS id`,
      [row.state, row.hoursAgo],
    );
    ids.push(inserted[0]!.id);
  }
  return ids;
}

const remaining = async (pool: pg.Pool): Promise<string[]> =>
  (await pool.query<{ id: string }>('SELECT id::text AS id FROM oban_jobs ORDER BY id')).rows.map((row) => row.id);

test('deletes finished rows older than the age, falling back to attempted_at and inserted_at; never live ones', async () => {
  const pool = database.pool;
  await pool.query('DELETE FROM oban_jobs');
  const ids = await insertAged(pool, [
    { state: 'completed', hoursAgo: 49 },
    { state: 'discarded', hoursAgo: 50 },
    { state: 'cancelled', hoursAgo: 47 },
    // A cancelled row never attempted nor stamped: its inserted_at (100 h ago) counts.
    { state: 'cancelled', hoursAgo: 60, column: 'scheduled_at' },
    { state: 'executing', hoursAgo: 90 },
    { state: 'available', hoursAgo: 90, column: 'scheduled_at' },
  ]);
  assert.equal(await pruneFinished(pool, 48), 3);
  assert.deepEqual(await remaining(pool), [ids[2], ids[4], ids[5]]);
});

test('at most `limit` rows a pass', async () => {
  const pool = database.pool;
  await pool.query('DELETE FROM oban_jobs');
  await insertAged(pool, [{ state: 'completed', hoursAgo: 72 }, { state: 'completed', hoursAgo: 72 }, { state: 'discarded', hoursAgo: 72 }]);
  assert.equal(await pruneFinished(pool, 48, 2), 2);
  assert.equal((await remaining(pool)).length, 1);
  assert.equal(await pruneFinished(pool, 48, 2), 1);
  assert.equal(await pruneFinished(pool, 48, 2), 0);
});

test('in staging, only staging.oban_jobs is pruned', async () => {
  await database.pool.query('DELETE FROM oban_jobs');
  await staging.pool.query('DELETE FROM oban_jobs');
  const [publicRow] = await insertAged(database.pool, [{ state: 'completed', hoursAgo: 72 }]);
  await insertAged(staging.pool, [{ state: 'completed', hoursAgo: 72 }]);
  assert.equal(await pruneFinished(staging.pool, 48), 1);
  assert.deepEqual(await remaining(staging.pool), []);
  assert.deepEqual(await remaining(database.pool), [publicRow]);
});

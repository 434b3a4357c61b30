/**
 * `npm run bench -- players` on a small pool, once: the measured process runs the real sync with the
 * worker's flags, every run reports its statements and memory, the counts show a first run that
 * inserts and a second that changes nothing, and the report judges each target. No timing or
 * memory figure is asserted: those are the bench's business.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { benchPlayersSync, formatPlayersReport, workerNodeFlags, type PlayersRun } from '../../scripts/bench/players/players-bench.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const PLAYERS = 1000;

let database: TestDatabase;
let runs: PlayersRun[];

before(async () => {
  database = await createTestDatabase({ empty: true });
  runs = await benchPlayersSync(database.url, PLAYERS, 1, () => {});
});
after(async () => {
  await database?.drop();
});

test('a first run inserts what the seeded league lacks, a second changes nothing, a small pool needs the same statements', () => {
  assert.deepEqual(runs.map((run) => [run.label, run.measurement.result.poolSize]), [
    ['first run', PLAYERS],
    ['second run', PLAYERS],
    ['a tenth of the pool', PLAYERS / 10],
  ]);
  const [first, second, small] = runs.map((run) => run.measurement.result.targets[0]);
  assert.ok((first?.inserted ?? 0) > 0, 'the first run inserts the pool beyond the seeded majors');
  assert.equal((first?.inserted ?? 0) + (first?.unchanged ?? 0) + ((first?.updated ?? 0) - (first?.inserted ?? 0)), PLAYERS);
  assert.deepEqual([second?.inserted, second?.updated, second?.unchanged], [0, 0, PLAYERS]);
  assert.deepEqual([small?.inserted, small?.updated, small?.unchanged], [0, 0, PLAYERS / 10]);
  const statements = runs.map((run) => run.measurement.statements);
  assert.ok(statements[0]! > 3, `statements were counted (${statements[0]})`);
  assert.deepEqual(new Set(statements).size, 1, `the same statements for every pool size (${statements.join(', ')})`);
  for (const run of runs) {
    assert.ok(run.measurement.dbMs > 0 && run.measurement.dbMs <= run.measurement.wallMs, `${run.label}: DB time within the wall time`);
    assert.ok(run.measurement.idleRssMb > 10, `${run.label}: idle RSS measured`);
  }
});

test('the report names each run and judges each target', async () => {
  const report = formatPlayersReport(runs, 'test database', await workerNodeFlags());
  assert.match(report, /--max-semi-space-size=4/);
  for (const label of ['first run', 'second run', 'a tenth of the pool']) assert.match(report, new RegExp(`^${label} `, 'm'));
  for (const target of ['database time per run', 'peak RSS', 'statements independent of the pool size']) {
    assert.match(report, new RegExp(`^(PASS|MISS)  ${target}`, 'm'));
  }
  assert.match(report, /^PASS  statements independent/m);
});

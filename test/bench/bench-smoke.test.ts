/**
 * `npm run bench` on a tiny backlog: every job completes through every path (raw pg-boss at the
 * sweep's points, at its best, at the runner's settings, and the runner itself), every wake-up is
 * seen, and the printed table has every row. No timing is asserted: this machine's numbers are the
 * bench's business, not the test's.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runBench, type BenchReport } from '../../scripts/bench/bench.ts';
import { openHarness, type Harness } from '../../scripts/bench/harness.ts';
import { formatReport } from '../../scripts/bench/table.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const jobs = 200;
const sweepJobs = 200;
const samples = 10;

let database: TestDatabase;
let harness: Harness;
let report: BenchReport;

before(async () => {
  database = await createTestDatabase({ empty: true });
  harness = await openHarness(database.url);
  report = await runBench(harness, {
    jobs,
    rounds: 2,
    samples,
    drainTimeoutMs: 60_000,
    sweepJobs,
    sweep: [
      { batchSize: 50, localConcurrency: 2, perJobResults: false },
      { batchSize: 50, localConcurrency: 2, perJobResults: true },
    ],
    wakeup: { warmup: 1, spacingMs: 5, sampleTimeoutMs: 10_000 },
  });
});

after(async () => {
  await harness?.close();
  await database?.drop();
});

test('every sweep run drains its whole backlog', () => {
  assert.equal(report.sweep.length, 2);
  for (const result of report.sweep) {
    assert.ok(result.runs.length >= 1, result.settings);
    for (const run of result.runs) assert.deepEqual([run.completed, run.timedOut], [sweepJobs, false], result.settings);
  }
  assert.ok(report.best, 'a best point is named');
});

test('every drain round completes every job, through raw pg-boss and through the runner', () => {
  assert.ok(report.drains);
  for (const series of [report.drains.rawBest, report.drains.rawSame, report.drains.runner]) {
    assert.equal(series.rounds.length, 2, series.label);
    for (const round of series.rounds) {
      assert.deepEqual([round.completed, round.jobs, round.timedOut], [jobs, jobs, false], series.label);
      assert.ok(round.heapBeforeMb > 0 && round.heapAfterMb > 0, series.label);
    }
  }
});

test('every wake-up sample is seen, on every path', () => {
  assert.ok(report.wakeups?.rawBest);
  for (const series of [report.wakeups.rawSame, report.wakeups.rawBest, report.wakeups.runner]) {
    assert.equal(series.samples.fromCallMs.length, samples, series.label);
    assert.equal(series.samples.fromReturnMs.length, samples, series.label);
    assert.equal(series.samples.lost, 0, series.label);
  }
});

test('the raw comparison uses the runner\'s fetch settings with per-job results and metadata', () => {
  assert.ok(report.drains);
  const { options } = report.runner;
  assert.ok(report.drains.rawSame.settings.startsWith(`batch ${options.batchSize ?? 1} × ${options.localConcurrency ?? 1} worker`));
  assert.match(report.drains.rawSame.settings, /perJobResults, metadata/);
});

test('the table has every measurement and every target', () => {
  const table = formatReport(report, { database: 'test', machine: 'test' });
  const lines = table.split('\n');
  const row = (pattern: RegExp) => assert.ok(lines.some((line) => pattern.test(line)), `a line matching ${pattern}:\n${table}`);
  row(/^drain\s+raw pg-boss, best\s/);
  row(/^drain\s+raw pg-boss, runner's settings\s/);
  row(/^drain\s+runner \(startWorkers\)\s/);
  row(/^wake-up\s+raw pg-boss, runner's settings\s/);
  row(/^wake-up\s+raw pg-boss, best\s/);
  row(/^wake-up\s+runner \(startWorkers\)\s/);
  row(/^drain: runner ÷ raw pg-boss best\s.*\b(PASS|MISS)$/);
  row(/^drain: runner ÷ raw pg-boss at runner's settings\s.*\b(PASS|MISS)$/);
  row(/^wake-up p50 \(from send\(\) called\): runner − raw pg-boss at runner's settings\s.*\b(PASS|MISS)$/);
  row(/← best/);
});

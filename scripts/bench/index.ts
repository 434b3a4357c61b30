/**
 * `npm run bench`: how fast a backlog drains and how soon an idle worker wakes, through raw pg-boss
 * and through the worker's runner, in one process against one fresh database. A measurement: it
 * exits 0 whatever the numbers, and prints PASS/MISS against issue 7's targets.
 *
 *   npm run bench -- [--jobs 10000] [--rounds 3] [--samples 200] [--only drain|wakeup]
 *                    [--timeout 15] [--sweep-jobs 3000] [--no-sdk]
 * --no-sdk leaves the OpenTelemetry SDK off (as before tracing), to see what the job spans cost.
 *   npm run bench -- players [--players 5000]      (espn.players-sync: see players/players-bench.ts)
 * BENCH_DATABASE_URL: a server to create the run's database on; default an embedded PostgreSQL.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { runBench, type BenchOptions } from './bench.ts';
import { openBenchDatabase } from './db.ts';
import { openHarness } from './harness.ts';
import { defaultSweep } from './raw.ts';
import { formatReport } from './table.ts';
import { loadConfig } from '../../src/config.ts';
import { startTelemetry } from '../../src/telemetry/telemetry.ts';

function positiveInt(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a positive integer (got "${value}")`);
  return parsed;
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      jobs: { type: 'string', default: '10000' },
      rounds: { type: 'string', default: '3' },
      samples: { type: 'string', default: '200' },
      only: { type: 'string' },
      timeout: { type: 'string', default: '15' },
      'sweep-jobs': { type: 'string' },
      'no-sdk': { type: 'boolean', default: false },
    },
  });
  if (values.only !== undefined && values.only !== 'drain' && values.only !== 'wakeup') {
    throw new Error(`--only must be drain or wakeup (got "${values.only}")`);
  }
  const jobs = positiveInt('jobs', values.jobs);
  return {
    jobs,
    rounds: positiveInt('rounds', values.rounds),
    samples: positiveInt('samples', values.samples),
    only: values.only,
    drainTimeoutMs: positiveInt('timeout', values.timeout) * 1000,
    // 30 % of the backlog: several full batches per worker even at batch 200 × 8, yet quick.
    sweepJobs: values['sweep-jobs'] ? positiveInt('sweep-jobs', values['sweep-jobs']) : Math.max(100, Math.round(jobs * 0.3)),
    sweep: defaultSweep(),
    wakeup: { warmup: 3, spacingMs: 20, sampleTimeoutMs: 10_000 },
  };
}

if (process.argv[2] === 'players') {
  const { playersBenchMain } = await import('./players/players-bench.ts');
  process.exit(await playersBenchMain(process.argv.slice(3)));
}

let options: BenchOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
const started = performance.now();
// The OpenTelemetry SDK as the worker runs it (spans made for every job, exported nowhere), so the
// runner pays for its job spans here as it does in production, and pg-boss for its own.
// (parseOptions has checked the flags, --no-sdk among them.)
const telemetry = process.argv.includes('--no-sdk')
  ? undefined
  : startTelemetry(loadConfig({ DATABASE_URL: 'postgres://bench@127.0.0.1/bench', LOG_LEVEL: 'silent' }).tracing);
process.stderr.write(`OpenTelemetry SDK ${telemetry ? 'on, as in the worker (spans made, nothing exported)' : 'off (--no-sdk)'}\n`);
const database = await openBenchDatabase(process.env.BENCH_DATABASE_URL);
let exitCode = 0;
try {
  const harness = await openHarness(database.url);
  try {
    const report = await runBench(harness, options, (line) => process.stderr.write(`${line}\n`));
    const machine = `${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}`;
    process.stdout.write(formatReport(report, { database: `${database.where}, PostgreSQL ${database.serverVersion}`, machine }));
    process.stdout.write(`total bench time ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  } finally {
    await harness.close();
  }
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  exitCode = 1;
} finally {
  await database.close();
  await telemetry?.shutdown();
}
process.exit(exitCode);

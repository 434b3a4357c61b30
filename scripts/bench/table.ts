/** The bench's report as text: sweep, measurements, per-round detail, and each target's PASS/MISS. */
import type { BenchReport, DrainSeries, WakeupSeries } from './bench.ts';
import type { DrainResult } from './drain.ts';
import { describeOptions } from './raw.ts';
import { medianBy } from './stats.ts';

/** The targets of issue 7. */
export const targets = {
  /** Runner drain rate ÷ raw pg-boss's best. */
  drainVsBest: 0.5,
  /** Runner drain rate ÷ raw pg-boss at the runner's own settings. */
  drainVsSame: 0.9,
  /** Runner wake-up p50 − raw pg-boss's, in ms. */
  wakeupP50DeltaMs: 1.5,
} as const;

/** Where it ran, for the header. */
export interface ReportContext {
  readonly database: string;
  readonly machine: string;
}

type Align = 'left' | 'right';

/** Columns padded to their widest cell; `align` per column. */
function columns(rows: readonly (readonly string[])[], align: readonly Align[]): string[] {
  const widths = align.map((_, index) => Math.max(...rows.map((row) => (row[index] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, index) => (align[index] === 'right' ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function rate(jobsPerSecond: number): string {
  if (!Number.isFinite(jobsPerSecond)) return 'n/a';
  return jobsPerSecond >= 100 ? Math.round(jobsPerSecond).toLocaleString('en-US') : jobsPerSecond.toFixed(2);
}

function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : 'n/a';
}

function heap(drain: DrainResult | undefined): string {
  return drain ? `${drain.heapBeforeMb.toFixed(1)} → ${drain.heapAfterMb.toFixed(1)}` : '';
}

function drainRow(series: DrainSeries): string[] {
  const timedOut = series.rounds.some((drain) => drain.timedOut) ? ' *' : '';
  const typical = medianBy(series.rounds, (drain) => drain.jobsPerSecond);
  return ['drain', series.label, `${rate(series.jobsPerSecond)}${timedOut}`, '', '', '', heap(typical), series.settings];
}

function wakeupRow(series: WakeupSeries): string[] {
  const { lost, enteredBeforeReturn, fromCallMs } = series.samples;
  const fromReturn = `${ms(series.p50FromReturnMs)} / ${ms(series.p90FromReturnMs)} (${enteredBeforeReturn}/${fromCallMs.length} first)`;
  return ['wake-up', series.label, '', ms(series.p50Ms), `${ms(series.p90Ms)}${lost > 0 ? ` (${lost} lost)` : ''}`, fromReturn, '', series.settings];
}

/** Two decimals, or two significant digits for tiny ratios (today's runner is ~10⁻⁵ of raw best). */
function ratio(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value >= 0.01 ? value.toFixed(2) : value.toPrecision(2)}×`;
}

function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'MISS';
}

function roundDetail(series: DrainSeries): string {
  const rounds = series.rounds.map(
    (drain, index) =>
      `r${index + 1} ${rate(drain.jobsPerSecond)}${drain.timedOut ? ` (${drain.completed}/${drain.jobs} in ${(drain.elapsedMs / 1000).toFixed(1)} s)` : ` (${(drain.elapsedMs / 1000).toFixed(2)} s)`}, heap ${heap(drain)}`,
  );
  return `  ${series.label}: ${rounds.join('; ')}`;
}

/** The full report, one string, ready for stdout. */
export function formatReport(report: BenchReport, context: ReportContext): string {
  const { options } = report;
  const out: string[] = [];
  out.push(`Issue 7 bench: a noop job through raw pg-boss and through the worker's runner, one process, one database`);
  out.push(`database: ${context.database}; machine: ${context.machine}`);
  const plan: string[] = [];
  if (options.only !== 'wakeup') {
    plan.push(`drain backlog ${options.jobs.toLocaleString('en-US')} jobs × ${options.rounds} rounds (median; timeout ${options.drainTimeoutMs / 1000} s)`);
  }
  if (options.only !== 'drain') plan.push(`wake-up ${options.samples} samples per path over ${options.rounds} rounds, ${options.wakeup.spacingMs} ms apart`);
  out.push(plan.join('; '));
  out.push(`runner work options (workOptionsFor, checked against what startWorkers passes): ${describeOptions(report.runner.options)}`);
  if (report.runner.mismatch) out.push(`WARNING: ${report.runner.mismatch}`);

  if (report.sweep.length > 0) {
    out.push('');
    out.push(
      `raw pg-boss sweep (${options.sweepJobs.toLocaleString('en-US')}-job backlog; one run each, the leaders run again; median; best first):`,
    );
    const sorted = [...report.sweep].sort((a, b) => b.jobsPerSecond - a.jobsPerSecond);
    const rows = sorted.map((result, index) => [
      `  ${result.settings}`,
      `${rate(result.jobsPerSecond)} jobs/s`,
      result.runs.length > 1 ? `(${result.runs.length} runs)` : '',
      index === 0 ? '← best' : '',
    ]);
    out.push(...columns(rows, ['left', 'right', 'left', 'left']));
  }

  out.push('');
  const rows: string[][] = [
    ['measure', 'path', 'jobs/s', 'p50 ms', 'p90 ms', 'from send() returned: p50 / p90 ms', 'heap MB (after gc) before → after', 'settings'],
  ];
  if (report.drains) rows.push(drainRow(report.drains.rawBest), drainRow(report.drains.rawSame), drainRow(report.drains.runner));
  if (report.wakeups) {
    rows.push(wakeupRow(report.wakeups.rawSame));
    if (report.wakeups.rawBest) rows.push(wakeupRow(report.wakeups.rawBest));
    rows.push(wakeupRow(report.wakeups.runner));
  }
  out.push(...columns(rows, ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left']));
  if (report.wakeups) {
    out.push(
      'wake-up p50/p90: send() called → handler (raw) or run (runner) entered. From send() returned: the same, but samples entered',
      '  before send() returned ("first") count as 0: the committing backend\'s reply can reach Node after the NOTIFY and the fetch.',
    );
  }

  if (report.drains) {
    const { rawBest, rawSame, runner } = report.drains;
    out.push('');
    out.push('drain rounds (jobs/s, time, heap MB before → after):');
    out.push(roundDetail(rawBest), roundDetail(rawSame), roundDetail(runner));
    if ([rawBest, rawSame, runner].some((series) => series.rounds.some((drain) => drain.timedOut))) {
      out.push(`  * timed out in some round: the rate is what completed within ${options.drainTimeoutMs / 1000} s`);
    }
  }

  out.push('');
  const checks: string[][] = [['target', 'measured', 'wanted', '']];
  if (report.drains) {
    const { rawBest, rawSame, runner } = report.drains;
    const vsBest = runner.jobsPerSecond / rawBest.jobsPerSecond;
    const vsSame = runner.jobsPerSecond / rawSame.jobsPerSecond;
    checks.push(['drain: runner ÷ raw pg-boss best', ratio(vsBest), `≥ ${targets.drainVsBest}×`, verdict(vsBest >= targets.drainVsBest)]);
    checks.push(["drain: runner ÷ raw pg-boss at runner's settings", ratio(vsSame), `≥ ${targets.drainVsSame}×`, verdict(vsSame >= targets.drainVsSame)]);
  }
  if (report.wakeups) {
    const { rawSame, runner } = report.wakeups;
    const delta = runner.p50Ms - rawSame.p50Ms;
    const sign = delta >= 0 ? '+' : '−';
    checks.push([
      "wake-up p50 (from send() called): runner − raw pg-boss at runner's settings",
      `${sign}${Math.abs(delta).toFixed(2)} ms`,
      `≤ +${targets.wakeupP50DeltaMs} ms`,
      verdict(delta <= targets.wakeupP50DeltaMs && runner.samples.lost === 0),
    ]);
  }
  out.push(...columns(checks, ['left', 'right', 'left', 'left']));
  return `${out.join('\n')}\n`;
}

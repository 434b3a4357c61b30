/**
 * The whole measurement: find the runner's fetch settings, sweep raw pg-boss for its best batch
 * settings, then alternate raw-best, raw-at-the-runner's-settings and the runner over several
 * rounds, for drains and for wake-ups. Returns numbers only; table.ts prints them.
 */
import type { WorkOptions } from 'pg-boss';
import { rawPath, runnerPath, type BenchPath } from './bench-path.ts';
import { measureDrain, type DrainResult } from './drain.ts';
import type { Harness } from './harness.ts';
import { describeOptions, sweepOptions, type SweepPoint } from './raw.ts';
import { runnerWorkOptions, type RunnerWorkOptions } from './runner.ts';
import { median, percentile } from './stats.ts';
import { measureWakeup, type WakeupOptions, type WakeupResult } from './wakeup.ts';

export interface BenchOptions {
  /** Backlog of each measured drain. */
  readonly jobs: number;
  /** Drain and wake-up rounds; drains report the median round, wake-ups pool all samples. */
  readonly rounds: number;
  /** Wake-up samples per path, spread over the rounds. */
  readonly samples: number;
  readonly only?: 'drain' | 'wakeup' | undefined;
  /** A drain stops here and reports the rate so far: today's runner would need hours for 10,000 jobs. */
  readonly drainTimeoutMs: number;
  /** Backlog of each sweep point: enough for several full batches per worker, quick to drain. */
  readonly sweepJobs: number;
  readonly sweep: readonly SweepPoint[];
  readonly wakeup: Omit<WakeupOptions, 'samples'>;
}

export interface SweepResult {
  readonly point: SweepPoint;
  readonly settings: string;
  /** One run for every point, more for the finalists. */
  readonly runs: DrainResult[];
  /** Median of the runs' rates. */
  readonly jobsPerSecond: number;
}

export interface DrainSeries {
  readonly label: string;
  readonly settings: string;
  readonly rounds: DrainResult[];
  /** Median of the rounds' rates. */
  readonly jobsPerSecond: number;
}

export interface WakeupSeries {
  readonly label: string;
  readonly settings: string;
  /** Every round's samples pooled (see wakeup.ts for the two start marks). */
  readonly samples: WakeupResult;
  /** From send() called: the figure the target compares. */
  readonly p50Ms: number;
  readonly p90Ms: number;
  /** From send() returned, as issue 7 words it. */
  readonly p50FromReturnMs: number;
  readonly p90FromReturnMs: number;
}

export interface BenchReport {
  readonly options: BenchOptions;
  readonly runner: RunnerWorkOptions;
  readonly sweep: SweepResult[];
  /** The sweep's winner, when drains ran. */
  readonly best?: SweepPoint;
  readonly drains?: { readonly rawBest: DrainSeries; readonly rawSame: DrainSeries; readonly runner: DrainSeries };
  readonly wakeups?: { readonly rawSame: WakeupSeries; readonly runner: WakeupSeries; readonly rawBest?: WakeupSeries };
}

/** Every path once per round, starting one further along each round, so drift hits all alike. */
function rotated<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** A queue name no other measurement uses, so leftovers of one cannot feed another. */
function queueName(kind: string, path: string, round: number): string {
  return `bench.noop.${kind}.${path}.r${round}`;
}

/** The raw options that match the runner's, with the per-job settlement the brief compares against. */
export function sameAsRunner(runner: WorkOptions): WorkOptions {
  return { ...runner, perJobResults: true, includeMetadata: true };
}

/** How many of the sweep's leaders are run again, and how often, before one is named best. */
const SWEEP_FINALISTS = 3;
const SWEEP_FINAL_RUNS = 2;

/**
 * One quick drain per point, then the leaders again, alternating: one run on a busy 2-core machine
 * can be off by a third, enough to crown the wrong point.
 */
async function sweepRaw(harness: Harness, options: BenchOptions, progress: (line: string) => void): Promise<SweepResult[]> {
  const runs = new Map<SweepPoint, DrainResult[]>();
  let queueIndex = 0;
  const run = async (point: SweepPoint) => {
    const path = rawPath(harness, 'sweep', sweepOptions(point));
    const drain = await measureDrain(harness, path, queueName('sweep', String(queueIndex++), 0), options.sweepJobs, options.drainTimeoutMs);
    runs.set(point, [...(runs.get(point) ?? []), drain]);
    progress(`sweep ${path.settings}: ${Math.round(drain.jobsPerSecond)} jobs/s`);
  };
  for (const point of options.sweep) await run(point);
  const rate = (point: SweepPoint) => median((runs.get(point) ?? []).map((drain) => drain.jobsPerSecond));
  const finalists = [...options.sweep].sort((a, b) => rate(b) - rate(a)).slice(0, options.sweep.length > 1 ? SWEEP_FINALISTS : 0);
  for (let again = 0; again < SWEEP_FINAL_RUNS; again += 1) for (const point of rotated(finalists, again + 1)) await run(point);
  return options.sweep.map((point) => ({
    point,
    settings: describeOptions(sweepOptions(point)),
    runs: runs.get(point) ?? [],
    jobsPerSecond: rate(point),
  }));
}

async function drainRounds(
  harness: Harness,
  paths: Record<'rawBest' | 'rawSame' | 'runner', BenchPath>,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<NonNullable<BenchReport['drains']>> {
  const results: Record<keyof typeof paths, DrainResult[]> = { rawBest: [], rawSame: [], runner: [] };
  const keys = Object.keys(paths) as (keyof typeof paths)[];
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const key of rotated(keys, round - 1)) {
      const drain = await measureDrain(harness, paths[key], queueName('drain', key, round), options.jobs, options.drainTimeoutMs);
      results[key].push(drain);
      const note = drain.timedOut ? ` (timed out: ${drain.completed}/${drain.jobs})` : '';
      progress(`drain round ${round} ${paths[key].label}: ${drain.jobsPerSecond.toFixed(1)} jobs/s${note}`);
    }
  }
  const series = (key: keyof typeof paths): DrainSeries => ({
    label: paths[key].label,
    settings: paths[key].settings,
    rounds: results[key],
    jobsPerSecond: median(results[key].map((drain) => drain.jobsPerSecond)),
  });
  return { rawBest: series('rawBest'), rawSame: series('rawSame'), runner: series('runner') };
}

async function wakeupRounds(
  harness: Harness,
  paths: Partial<Record<'rawBest' | 'rawSame' | 'runner', BenchPath>>,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<Record<string, WakeupSeries>> {
  const keys = Object.keys(paths) as (keyof typeof paths)[];
  const pooled: Record<string, { fromCallMs: number[]; fromReturnMs: number[]; enteredBeforeReturn: number; lost: number }> = {};
  const perRound = Math.ceil(options.samples / options.rounds);
  for (let round = 1; round <= options.rounds; round += 1) {
    const samples = Math.min(perRound, options.samples - perRound * (round - 1));
    if (samples <= 0) break;
    for (const key of rotated(keys, round - 1)) {
      const path = paths[key];
      if (!path) continue;
      const result = await measureWakeup(harness, path, queueName('wakeup', key, round), { ...options.wakeup, samples });
      const into = (pooled[key] ??= { fromCallMs: [], fromReturnMs: [], enteredBeforeReturn: 0, lost: 0 });
      into.fromCallMs.push(...result.fromCallMs);
      into.fromReturnMs.push(...result.fromReturnMs);
      into.enteredBeforeReturn += result.enteredBeforeReturn;
      into.lost += result.lost;
      progress(`wake-up round ${round} ${path.label}: p50 ${percentile(result.fromCallMs, 50).toFixed(2)} ms from send() called`);
    }
  }
  return Object.fromEntries(
    Object.entries(pooled).map(([key, samples]) => {
      const path = paths[key as keyof typeof paths]!;
      const series: WakeupSeries = {
        label: path.label,
        settings: path.settings,
        samples,
        p50Ms: percentile(samples.fromCallMs, 50),
        p90Ms: percentile(samples.fromCallMs, 90),
        p50FromReturnMs: percentile(samples.fromReturnMs, 50),
        p90FromReturnMs: percentile(samples.fromReturnMs, 90),
      };
      return [key, series];
    }),
  );
}

export async function runBench(harness: Harness, options: BenchOptions, progress: (line: string) => void = () => {}): Promise<BenchReport> {
  const runner = await runnerWorkOptions(harness.boss, harness.deps, harness.createQueue, harness.deleteQueue);
  progress(`runner work options (workOptionsFor): ${describeOptions(runner.options)}`);
  if (runner.mismatch) progress(`warning: ${runner.mismatch}`);
  const rawSame = rawPath(harness, "raw pg-boss, runner's settings", sameAsRunner(runner.options));
  const runnerRun = runnerPath(harness, runner.options);

  let sweep: SweepResult[] = [];
  let best: SweepPoint | undefined;
  let drains: BenchReport['drains'];
  if (options.only !== 'wakeup') {
    sweep = await sweepRaw(harness, options, progress);
    best = [...sweep].sort((a, b) => b.jobsPerSecond - a.jobsPerSecond)[0]?.point;
    if (!best) throw new Error('the sweep is empty: give it at least one point');
    const rawBest = rawPath(harness, 'raw pg-boss, best', sweepOptions(best));
    drains = await drainRounds(harness, { rawBest, rawSame, runner: runnerRun }, options, progress);
  }

  let wakeups: BenchReport['wakeups'];
  if (options.only !== 'drain') {
    const paths = { rawSame, runner: runnerRun, ...(best ? { rawBest: rawPath(harness, 'raw pg-boss, best', sweepOptions(best)) } : {}) };
    const series = await wakeupRounds(harness, paths, options, progress);
    wakeups = { rawSame: series.rawSame!, runner: series.runner!, ...(series.rawBest ? { rawBest: series.rawBest } : {}) };
  }
  return { options, runner, sweep, ...(best ? { best } : {}), ...(drains ? { drains } : {}), ...(wakeups ? { wakeups } : {}) };
}

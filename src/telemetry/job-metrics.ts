import { lazyInstruments } from './instruments.ts';

/**
 * How an attempt ended, as a bounded metric label: completed; snoozed (run again later, no attempt
 * spent); retried or dead_lettered (failed, and what the queue does next); cancelled (stopped from
 * outside: shutdown, expiry, a cancelled job); failed (failed with no queue to decide: inline runs).
 */
export type JobOutcomeLabel = 'completed' | 'failed' | 'retried' | 'dead_lettered' | 'cancelled' | 'snoozed';

/** Seconds; spans millisecond emails and minutes-long syncs (a sync expires at 300 s, the default at 900 s). */
export const jobDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

/** Seconds a job waited between becoming due and starting; polls are seconds apart, backlogs can last hours. */
export const jobWaitBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

const instruments = lazyInstruments((meter) => ({
  runs: meter.createCounter('worker.job.runs', { description: 'Job attempts by outcome' }),
  duration: meter.createHistogram('worker.job.duration', {
    description: 'Job attempt duration in seconds',
    unit: 's',
    advice: { explicitBucketBoundaries: jobDurationBuckets },
  }),
  wait: meter.createHistogram('worker.job.wait', {
    description: 'Seconds a job waited in the queue between becoming due and its attempt starting',
    unit: 's',
    advice: { explicitBucketBoundaries: jobWaitBuckets },
  }),
  lastSuccess: meter.createGauge('worker.job.last_success.timestamp', {
    description: 'Unix time in seconds of the last completed attempt, per job (this process since it started)',
    unit: 's',
  }),
}));

/**
 * Called by the runner once per attempt: the one place job telemetry is produced. The label is
 * `job_name`, not `job`: Prometheus owns `job` (the scrape job) and would rename ours `exported_job`.
 */
export function recordJobOutcome(job: string, outcome: JobOutcomeLabel, durationMs: number): void {
  const { runs, duration, lastSuccess } = instruments();
  runs.add(1, { job_name: job, outcome });
  duration.record(durationMs / 1000, { job_name: job, outcome });
  if (outcome === 'completed') lastSuccess.record(Date.now() / 1000, { job_name: job });
}

/** Called by the runner when an attempt starts, for jobs that came through the queue. */
export function recordJobWait(job: string, waitMs: number): void {
  instruments().wait.record(Math.max(0, waitMs) / 1000, { job_name: job });
}

import { metrics, type Counter, type Histogram } from '@opentelemetry/api';

/** How an attempt ended, as a bounded metric label. */
export type JobOutcomeLabel = 'completed' | 'failed' | 'discarded' | 'snoozed';

/**
 * Seconds, with buckets that span millisecond emails and minutes-long syncs. Created lazily from
 * the global meter provider, so instruments bind to the SDK once telemetry has started.
 */
let instruments: { runs: Counter; duration: Histogram } | undefined;

function getInstruments() {
  if (!instruments) {
    const jobMeter = metrics.getMeter('trademachine-worker');
    instruments = {
      runs: jobMeter.createCounter('worker.job.runs', { description: 'Job attempts by outcome' }),
      duration: jobMeter.createHistogram('worker.job.duration', {
        description: 'Job attempt duration in seconds',
        unit: 's',
        advice: { explicitBucketBoundaries: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] },
      }),
    };
  }
  return instruments;
}

/** Called by the runner once per attempt: the one place job telemetry is produced. */
export function recordJobOutcome(job: string, outcome: JobOutcomeLabel, durationMs: number): void {
  const { runs, duration } = getInstruments();
  runs.add(1, { job, outcome });
  duration.record(durationMs / 1000, { job, outcome });
}

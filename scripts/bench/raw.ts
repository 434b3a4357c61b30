/** Raw pg-boss workers doing the bench's noop work, with any work() options. */
import type { Job, JobResult, PgBoss, WorkOptions } from 'pg-boss';

export interface RawWorkers {
  stop(): Promise<void>;
}

/**
 * Starts raw pg-boss workers on `queue`. The handler only reports each job; with perJobResults it
 * answers `{id, status: 'completed'}` per job, the least a per-job handler can do.
 */
export async function startRaw(boss: PgBoss, queue: string, options: WorkOptions, onJob: (n: number) => void): Promise<RawWorkers> {
  const perJob = options.perJobResults === true;
  await boss.work<{ n: number }>(queue, options, async (jobs: Job<{ n: number }>[]) => {
    for (const job of jobs) onJob(job.data.n);
    return perJob ? jobs.map((job): JobResult => ({ id: job.id, status: 'completed' })) : undefined;
  });
  return { stop: () => boss.offWork(queue, { wait: true }) };
}

/** The options the sweep varies; the rest are pg-boss defaults. */
export interface SweepPoint {
  readonly batchSize: number;
  readonly localConcurrency: number;
  readonly perJobResults: boolean;
}

/** batchSize 50/100/200 × localConcurrency 2/4/8 × perJobResults off/on, always burstWhenBatchFull. */
export function defaultSweep(): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (const batchSize of [50, 100, 200])
    for (const localConcurrency of [2, 4, 8]) for (const perJobResults of [false, true]) points.push({ batchSize, localConcurrency, perJobResults });
  return points;
}

export function sweepOptions(point: SweepPoint): WorkOptions {
  return { ...point, burstWhenBatchFull: true };
}

/** One line describing work() options, e.g. "batch 100 × 4 workers, burstWhenBatchFull, perJobResults". */
export function describeOptions(options: WorkOptions): string {
  const loops = options.localConcurrency ?? 1;
  const parts = [`batch ${options.batchSize ?? 1} × ${loops} worker${loops === 1 ? '' : 's'}`];
  const bursts = options.burstWhenBatchFull && (options.batchSize ?? 1) > 1;
  if (options.burstWhenBatchFull) parts.push(bursts ? 'burstWhenBatchFull' : 'burstWhenBatchFull (ignored at batch 1)');
  if (options.burstWhenReadyExceeds !== undefined) parts.push(`burstWhenReadyExceeds ${options.burstWhenReadyExceeds}`);
  if (!options.burstWhenBatchFull && options.burstWhenReadyExceeds === undefined) parts.push('no burst');
  if (options.perJobResults) parts.push('perJobResults');
  if (options.includeMetadata) parts.push('metadata');
  if (options.pollingIntervalSeconds !== undefined || options.notifyPollingIntervalSeconds !== undefined) {
    parts.push(`poll ${options.pollingIntervalSeconds ?? 2} s / notify ${options.notifyPollingIntervalSeconds ?? 30} s`);
  }
  return parts.join(', ');
}

/** Drain rate: a backlog queued before any worker starts, timed from work() to the last job completed. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PgBoss } from 'pg-boss';
import type { BenchPath } from './bench-path.ts';
import type { Harness } from './harness.ts';
import { heapUsedMb } from './heap.ts';

export interface DrainResult {
  readonly jobs: number;
  /** Completed in the job table when the clock stopped; below `jobs` only when timed out. */
  readonly completed: number;
  readonly elapsedMs: number;
  readonly jobsPerSecond: number;
  readonly timedOut: boolean;
  readonly heapBeforeMb: number;
  readonly heapAfterMb: number;
}

const INSERT_CHUNK = 1000;

/** Queues `jobs` noop jobs with bulk inserts (payload `{n}`), as an owner's burst would. */
export async function fillBacklog(boss: PgBoss, queue: string, jobs: number): Promise<void> {
  for (let start = 0; start < jobs; start += INSERT_CHUNK) {
    const count = Math.min(INSERT_CHUNK, jobs - start);
    await boss.insert(
      queue,
      Array.from({ length: count }, (_, i) => ({ data: { n: start + i } })),
    );
  }
}

/**
 * Fills `queue`, starts `path`'s workers and waits until the job table shows every job completed,
 * or `timeoutMs` passed (then the rate is what completed in that time). Handler entries are counted
 * so the table is only polled at the end, where its answer decides the stop time; polling it all
 * along would load the database being measured.
 */
export async function measureDrain(harness: Harness, path: BenchPath, queue: string, jobs: number, timeoutMs: number): Promise<DrainResult> {
  await harness.createQueue(queue);
  try {
    await fillBacklog(harness.boss, queue, jobs);
    // A backlog as the planner sees it once autovacuum has noticed it (see analyzeJobs).
    await harness.analyzeJobs();
    let entered = 0;
    const { promise: everyJobEntered, resolve: allEntered } = Promise.withResolvers<void>();
    const onJob = () => {
      entered += 1;
      if (entered === jobs) allEntered();
    };
    const heapBeforeMb = heapUsedMb();
    const started = performance.now();
    const deadline = started + timeoutMs;
    const workers = await path.start(queue, onJob);
    let completed: number;
    let elapsedMs: number;
    let heapAfterMb: number;
    try {
      const timer = new AbortController();
      await Promise.race([everyJobEntered, sleep(timeoutMs, undefined, { signal: timer.signal }).catch(() => undefined)]);
      timer.abort();
      completed = await harness.completedCount(queue);
      while (completed < jobs && performance.now() < deadline) {
        await sleep(2);
        completed = await harness.completedCount(queue);
      }
      elapsedMs = performance.now() - started;
      // With the workers still up: what they hold once idle after a drain.
      heapAfterMb = heapUsedMb();
    } finally {
      await workers.stop();
    }
    return {
      jobs,
      completed,
      elapsedMs,
      jobsPerSecond: (completed / elapsedMs) * 1000,
      timedOut: completed < jobs,
      heapBeforeMb,
      heapAfterMb,
    };
  } finally {
    await harness.deleteQueue(queue);
  }
}

/**
 * Wake-up latency: with the workers idle, one job at a time is sent and the time to the handler
 * (or the runner's `run`) being entered is taken in this process. It covers the NOTIFY round
 * trip, the woken worker's fetch and, for the runner, everything before `run`.
 *
 * Two start marks. "From send() returned" is the one issue 7 names, but on this 2-core machine
 * send() often resolves only after the job has already been fetched and entered: the committing
 * backend's reply reaches Node later than the NOTIFY and the whole fetch round trip (seen in
 * query-level timestamps). Those samples would be negative; they are counted and kept as 0, which
 * drags the percentiles down by chance. "From send() called" adds the insert's round trip to every
 * sample of every path alike and is never negative, so it is the one the target compares.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchPath } from './bench-path.ts';
import type { Harness } from './harness.ts';

export interface WakeupResult {
  /** send() called → entered. */
  readonly fromCallMs: number[];
  /** send() returned → entered, 0 when entered first. */
  readonly fromReturnMs: number[];
  /** Samples entered before send() returned. */
  readonly enteredBeforeReturn: number;
  /** Samples whose job was not entered within the sample timeout (a missed wake-up). */
  readonly lost: number;
}

export interface WakeupOptions {
  readonly samples: number;
  /** Unrecorded first sends: the first fetch after work() and cold code paths are not wake-ups. */
  readonly warmup: number;
  /** Pause after each job is entered, so the next one finds the workers idle again. */
  readonly spacingMs: number;
  /** Longest wait for one job; longer counts as lost (pg-boss's backstop poll would pick it up). */
  readonly sampleTimeoutMs: number;
}

export async function measureWakeup(harness: Harness, path: BenchPath, queue: string, options: WakeupOptions): Promise<WakeupResult> {
  await harness.createQueue(queue);
  const enteredAt = new Map<number, number>();
  let waiting: { n: number; resolve: () => void } | undefined;
  const workers = await path.start(queue, (n) => {
    enteredAt.set(n, performance.now());
    if (waiting?.n === n) waiting.resolve();
  });
  const result = { fromCallMs: [] as number[], fromReturnMs: [] as number[], enteredBeforeReturn: 0, lost: 0 };
  try {
    // Let every worker finish its first (empty) fetch and settle into waiting for NOTIFY.
    await sleep(200);
    for (let n = 0; n < options.warmup + options.samples; n += 1) {
      const { promise: entered, resolve } = Promise.withResolvers<void>();
      waiting = { n, resolve };
      const calledAt = performance.now();
      await harness.boss.send(queue, { n });
      const returnedAt = performance.now();
      const timer = new AbortController();
      await Promise.race([entered, sleep(options.sampleTimeoutMs, undefined, { signal: timer.signal }).catch(() => undefined)]);
      timer.abort();
      waiting = undefined;
      const at = enteredAt.get(n);
      if (n >= options.warmup) {
        if (at === undefined) {
          result.lost += 1;
        } else {
          result.fromCallMs.push(at - calledAt);
          result.fromReturnMs.push(Math.max(0, at - returnedAt));
          if (at < returnedAt) result.enteredBeforeReturn += 1;
        }
      }
      await sleep(options.spacingMs);
    }
  } finally {
    await workers.stop();
    await harness.deleteQueue(queue);
  }
  return result;
}

/**
 * Wake-up latency: with the workers idle, one job at a time is sent and the time from send()
 * returning to the handler (or `run`) being entered is taken in this process. It covers the
 * NOTIFY round trip, the woken workers' fetch and, for the runner, everything before `run`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchPath } from './bench-path.ts';
import type { Harness } from './harness.ts';

export interface WakeupResult {
  readonly latenciesMs: number[];
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
  const latenciesMs: number[] = [];
  let lost = 0;
  try {
    // Let every worker finish its first (empty) fetch and settle into waiting for NOTIFY.
    await sleep(200);
    for (let n = 0; n < options.warmup + options.samples; n += 1) {
      const { promise: entered, resolve } = Promise.withResolvers<void>();
      waiting = { n, resolve };
      await harness.boss.send(queue, { n });
      const sentAt = performance.now();
      const timer = new AbortController();
      await Promise.race([entered, sleep(options.sampleTimeoutMs, undefined, { signal: timer.signal }).catch(() => undefined)]);
      timer.abort();
      waiting = undefined;
      const at = enteredAt.get(n);
      if (n >= options.warmup) {
        // Entered before send() returned (possible in principle) counts as zero, not negative.
        if (at === undefined) lost += 1;
        else latenciesMs.push(Math.max(0, at - sentAt));
      }
      await sleep(options.spacingMs);
    }
  } finally {
    await workers.stop();
    await harness.deleteQueue(queue);
  }
  return { latenciesMs, lost };
}

/** One way of running the noop job (raw pg-boss with some options, or the runner), as the measurements see it. */
import type { WorkOptions } from 'pg-boss';
import type { Harness } from './harness.ts';
import { describeOptions, startRaw } from './raw.ts';
import { noopDefinition, startRunner, stopRunner } from './runner.ts';

export interface BenchPath {
  readonly label: string;
  /** The work() options in words, for the table. */
  readonly settings: string;
  /** Starts workers on `queue`; `onJob` fires on entry to the handler (raw) or to the job's `run` (runner). */
  start(queue: string, onJob: (n: number) => void): Promise<{ stop(): Promise<void> }>;
}

export function rawPath(harness: Harness, label: string, options: WorkOptions): BenchPath {
  return {
    label,
    settings: describeOptions(options),
    start: (queue, onJob) => startRaw(harness.boss, queue, options, onJob),
  };
}

export function runnerPath(harness: Harness, options: WorkOptions): BenchPath {
  return {
    label: 'runner (startWorkers)',
    settings: describeOptions(options),
    start: async (queue, onJob) => {
      const definition = noopDefinition(queue, onJob);
      await startRunner(harness.boss, definition, harness.deps);
      return { stop: () => stopRunner(harness.boss, definition) };
    },
  };
}

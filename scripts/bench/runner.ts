/**
 * The worker's own runner as the bench drives it. Everything that touches src/jobs/queue.ts's
 * runner API sits here, so a change of its signature is adapted in one place.
 */
import type { PgBoss, WorkOptions } from 'pg-boss';
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../src/jobs/define-job.ts';
import { startWorkers, workOptionsFor } from '../../src/jobs/queue.ts';
import type { RunnerDeps } from '../../src/jobs/runner.ts';

/** The bench's job definition type, as startWorkers takes it. */
export type BenchDefinition = JobDefinition<z.ZodType, unknown>;

const noopPayload = z.object({ n: z.number().int() });

/**
 * A job that does nothing, so what is measured is fetching, payload validation, the runner's
 * bookkeeping and settling. Its queue settings are those of a short, plentiful job: up to 100 at
 * once, claimed 50 per fetch by two fetch loops, so one loop's round trips overlap the other's
 * jobs. (At the email job's 5 at once, one loop of 5, raw pg-boss and the runner both drain a few
 * thousand a second: the fetch round trip per 5 jobs is the limit, not the runner.)
 * `onRun` is called on entry to `run`, with the job's sequence number.
 */
export function noopDefinition(name: string, onRun: (n: number) => void): BenchDefinition {
  return defineJob({
    name,
    description: 'bench: does nothing',
    payload: noopPayload,
    queue: { localConcurrency: 100, batchSize: 50 },
    run: async ({ n }) => {
      onRun(n);
      return {};
    },
  }) as BenchDefinition;
}

/** Starts the runner's workers for one definition: the single call to adapt if startWorkers changes. */
export async function startRunner(boss: PgBoss, definition: BenchDefinition, deps: RunnerDeps): Promise<void> {
  await startWorkers(boss, [definition], deps);
}

/** Stops the runner's workers for that definition, waiting for the jobs in hand. */
export async function stopRunner(boss: PgBoss, definition: BenchDefinition): Promise<void> {
  await boss.offWork(definition.name, { wait: true });
}

/** The runner's work options, and whether startWorkers disagrees with them. */
export interface RunnerWorkOptions {
  readonly options: WorkOptions;
  /** Set when workOptionsFor and what startWorkers actually passed disagree. */
  readonly mismatch?: string;
}

/** Keys pg-boss adds to the options it keeps (its resolved polling intervals in ms); not WorkOptions. */
const RESOLVED_ONLY = new Set(['pollingInterval', 'notifyPollingInterval']);

function stripResolved(options: WorkOptions): WorkOptions {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !RESOLVED_ONLY.has(key))) as WorkOptions;
}

/** A stable text of the options, to compare two sets. */
function canonical(options: WorkOptions): string {
  return JSON.stringify(Object.fromEntries(Object.entries(options).sort(([a], [b]) => a.localeCompare(b))));
}

/**
 * The options startWorkers really passes to work(): start it on a throw-away queue and read them
 * back from pg-boss's worker data. Needs no knowledge of queue.ts's internals.
 */
async function probeStartWorkers(boss: PgBoss, deps: RunnerDeps, createQueue: (queue: string) => Promise<void>, deleteQueue: (queue: string) => Promise<void>): Promise<WorkOptions> {
  const definition = noopDefinition('bench.noop.probe', () => {});
  await createQueue(definition.name);
  try {
    await startRunner(boss, definition, deps);
    const workers = boss.getWipData().filter((worker) => worker.name === definition.name);
    const first = workers[0];
    if (!first) throw new Error('startWorkers started no pg-boss worker for the bench definition');
    return stripResolved(first.options);
  } finally {
    await stopRunner(boss, definition);
    await deleteQueue(definition.name);
  }
}

/**
 * The runner's work options for the bench definition, from queue.ts's `workOptionsFor`, checked
 * against what startWorkers actually passes: the raw comparison is only fair if they agree.
 */
export async function runnerWorkOptions(
  boss: PgBoss,
  deps: RunnerDeps,
  createQueue: (queue: string) => Promise<void>,
  deleteQueue: (queue: string) => Promise<void>,
): Promise<RunnerWorkOptions> {
  const declared: WorkOptions = workOptionsFor(noopDefinition('bench.noop.probe', () => {}));
  const probed = await probeStartWorkers(boss, deps, createQueue, deleteQueue);
  const mismatch =
    canonical(declared) === canonical(probed) ? undefined : `workOptionsFor ${canonical(declared)} but startWorkers passed ${canonical(probed)}`;
  return { options: declared, ...(mismatch ? { mismatch } : {}) };
}

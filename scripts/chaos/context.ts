/**
 * What every fault phase works with: the cluster, the enqueuer, the current worker process, the
 * seeded randomness and the run's deadline. Only one worker process runs at a time, so "the
 * worker's jobs" are simply the active ones.
 */
import type { ChaosCluster } from './cluster.ts';
import type { Enqueuer } from './enqueue.ts';
import type { Random } from './random.ts';
import { startWorkerProcess, type WorkerProcess, type WorkerSettings } from './worker-process.ts';

export interface ChaosContext {
  readonly cluster: ChaosCluster;
  /** Set once the queue exists (after the first worker start). */
  enqueuer: Enqueuer | undefined;
  readonly random: Random;
  readonly mailboxDir: string;
  readonly workerSettings: WorkerSettings;
  /** Worker lives that ended without the harness asking (crash on a lost database, …). */
  readonly unexpectedExits: { life: number; phase: string; code: number | null; signal: string | null; crash: string | undefined }[];
  /** Every worker life of the run, in order. */
  readonly lives: WorkerProcess[];
  /** The worker process started last (it may have exited). */
  worker: WorkerProcess | undefined;
  /** The phase running now, for labelling. */
  phase: string;
  /** Milliseconds left before the run's hard deadline. */
  remainingMs(): number;
  log(line: string): void;
  /** Starts a new worker life (the previous one must have exited). */
  startWorker(): Promise<WorkerProcess>;
  /** A ready worker: the current one, or a new life when it died (counted as unexpected). */
  ensureReadyWorker(timeoutMs?: number): Promise<WorkerProcess>;
}

export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/** The enqueuer, which exists once the first worker created the queue. */
export function enqueuerOf(context: ChaosContext): Enqueuer {
  if (!context.enqueuer) throw new Error('no enqueuer yet: the queue is created by the first worker start');
  return context.enqueuer;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export function createContext(parts: {
  cluster: ChaosCluster;
  random: Random;
  mailboxDir: string;
  workerSettings: WorkerSettings;
  deadline: number;
  readyTimeoutMs: number;
  log: (line: string) => void;
}): ChaosContext {
  const context: ChaosContext = {
    cluster: parts.cluster,
    enqueuer: undefined,
    lives: [],
    random: parts.random,
    mailboxDir: parts.mailboxDir,
    workerSettings: parts.workerSettings,
    unexpectedExits: [],
    worker: undefined,
    phase: 'setup',
    remainingMs: () => parts.deadline - performance.now(),
    log: parts.log,
    startWorker: async () => {
      if (context.worker && context.worker.exit === undefined) throw new Error(`worker life ${context.worker.life} is still running`);
      const worker = await startWorkerProcess(parts.workerSettings);
      context.worker = worker;
      context.lives.push(worker);
      void worker.exited.then((exit) => {
        if (!expectedExits.has(worker)) {
          context.unexpectedExits.push({ life: worker.life, phase: context.phase, code: exit.code, signal: exit.signal, crash: worker.crashLine ?? worker.errorLines.at(-1) });
        }
      });
      return worker;
    },
    ensureReadyWorker: async (timeoutMs = parts.readyTimeoutMs) => {
      // A worker that cannot start (e.g. the database is still coming back) gets a few more lives.
      let lastError: unknown;
      for (let attempt = 0; attempt < 5; attempt += 1) {
        if (context.remainingMs() <= 0) throw new DeadlineError('run deadline passed while waiting for a ready worker');
        const worker = context.worker && context.worker.exit === undefined ? context.worker : await context.startWorker();
        try {
          await worker.waitReady(Math.min(timeoutMs, Math.max(1_000, context.remainingMs())));
          return worker;
        } catch (error) {
          lastError = error;
          if (worker.exit === undefined) {
            expectWorkerExit(worker);
            worker.signal('SIGKILL');
            await worker.exited;
          }
        }
      }
      throw new Error('no worker became ready after 5 starts', { cause: lastError });
    },
  };
  return context;
}

const expectedExits = new WeakSet<WorkerProcess>();

/** Marks an exit the harness causes (a signal it sends), so it is not counted as a crash. */
export function expectWorkerExit(worker: WorkerProcess): void {
  expectedExits.add(worker);
}

/**
 * The faults, one function per phase: SIGKILL cycles, SIGTERM while jobs are blocked on a lock,
 * a PostgreSQL restart, and pg_terminate_backend on the worker's connections. Each returns what it
 * measured; none of them judges (see verdict.ts).
 */
import { withClient } from './cluster.ts';
import { EMAIL_JOB } from './enqueue.ts';
import { readMailbox } from './count.ts';
import { lockEmailTable } from './email-lock.ts';
import { enqueuerOf, expectWorkerExit, sleep, type ChaosContext } from './context.ts';

/** Jobs of ours that are active and were claimed after `since` (epoch ms): the current worker's. */
async function activeSince(url: string, since: number): Promise<number> {
  return withClient(url, async (client) => {
    const result = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'active' AND started_on >= to_timestamp($2 / 1000.0)`,
      [EMAIL_JOB, since],
    );
    return result.rows[0]?.n ?? 0;
  });
}

export interface KillPhaseResult {
  readonly kills: number;
  /** Kills that landed before the worker answered /ready (during start-up). */
  readonly killsDuringStartup: number;
  /** Jobs that were active (claimed by the killed life) at the moment of the kill. */
  readonly jobsCaughtInFlight: number;
  readonly delaysMs: readonly number[];
}

/** Every this-many kill cycles, one kills the worker while it is still starting (before /ready). */
const STARTUP_KILL_EVERY = 5;

/**
 * `kills` cycles of: start a worker, feed it a few jobs at a random moment, SIGKILL it. Most kills
 * land a random delay after the worker answers /ready, while it works (measuring the delay from the
 * start would put them all in start-up once start-up takes longer than the range); one cycle in
 * STARTUP_KILL_EVERY kills during start-up instead. Killed jobs stay active until their heartbeat
 * lapses, then are retried.
 */
export async function killCycles(ctx: ChaosContext, kills: number, jobs: number, delayRangeMs: readonly [number, number]): Promise<KillPhaseResult> {
  let killsDuringStartup = 0;
  let jobsCaughtInFlight = 0;
  const delaysMs: number[] = [];
  let done = 0;
  for (let cycle = 0; cycle < kills; cycle += 1) {
    if (ctx.remainingMs() < 60_000) {
      ctx.log(`kill phase: stopping after ${done} of ${kills} kills to leave time for the other phases`);
      break;
    }
    const batch = Math.floor(((cycle + 1) * jobs) / kills) - Math.floor((cycle * jobs) / kills);
    const delay = ctx.random.int(delayRangeMs[0], delayRangeMs[1]);
    const duringStartup = cycle % STARTUP_KILL_EVERY === STARTUP_KILL_EVERY - 1;
    delaysMs.push(delay);
    const worker = await ctx.startWorker();
    let ready = false;
    const readiness = worker.waitReady(duringStartup ? delay + 1_000 : 60_000).then(
      () => (ready = true),
      () => {},
    );
    if (duringStartup) {
      await sleep(ctx.random.int(0, delay));
      await enqueuerOf(ctx).enqueue(batch, ctx.phase);
      await sleep(delay - (performance.now() - worker.startedAt));
    } else {
      await readiness;
      const feedAt = ctx.random.int(0, delay);
      await sleep(feedAt);
      await enqueuerOf(ctx).enqueue(batch, ctx.phase);
      await sleep(delay - feedAt);
    }
    expectWorkerExit(worker);
    worker.signal('SIGKILL');
    await worker.exited;
    await readiness;
    if (!ready) killsDuringStartup += 1;
    jobsCaughtInFlight += await activeSince(ctx.cluster.url, worker.startedWall);
    done += 1;
    if (done % 10 === 0 || done === kills) ctx.log(`kill phase: ${done}/${kills} kills, ${jobsCaughtInFlight} jobs caught in flight so far`);
  }
  return { kills: done, killsDuringStartup, jobsCaughtInFlight, delaysMs };
}

export interface SigtermPhaseResult {
  readonly shutdownTimeoutMs: number;
  /** Worker queries waiting on the email lock when SIGTERM was sent. */
  readonly blockedAtSignal: number;
  /** Messages stored in the phase before the signal (sent, and stuck before their record). */
  readonly sentBeforeSignal: number;
  /** Messages stored after the signal, before the process exited. */
  readonly sentAfterSignal: number;
  /** SIGTERM to exit while the lock was still held; undefined when it did not exit within the wait. */
  readonly exitMs: number | undefined;
  /** How long the lock was held after SIGTERM waiting for the exit. */
  readonly waitedMs: number;
  readonly exitCode: number | null | undefined;
  /** When it did not exit while the lock was held: SIGTERM to exit once the lock was released (undefined: killed). */
  readonly exitAfterReleaseMs: number | undefined;
  /** Worker queries still running (waiting on the lock) after the process had exited: they would write once the lock went. */
  readonly orphanQueriesAfterExit: number;
  /**
   * `email` rows the stopped process wrote for messages whose job it did not complete, i.e. after
   * it had handed the job back (its retry then sends and records again).
   */
  readonly writtenAfterHandBack: number;
  /** Jobs the worker was running at the signal (claimed during the phase). */
  readonly inFlightAtSignal: number;
  /** Of those, the ones the stopped process completed, handed back (created/retry), or left active (to expire). */
  readonly completedByStopped: number;
  readonly handedBack: number;
  readonly leftActiveAtExit: number;
}

async function workerBackends(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const result = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'trademachine-worker%'`);
    return result.rows[0]?.n ?? 0;
  });
}

/**
 * Holds the email lock so jobs get stuck right after sending, SIGTERMs the worker and measures how
 * long it takes to exit. The lock is released after the exit, or after the wait gave up (the
 * process is SIGKILLed if it still hangs on). Then, with no worker running, it looks at what the
 * stopped process left behind. `slackMs`: how far past SHUTDOWN_TIMEOUT_MS an exit counts as in time.
 */
export async function sigtermWithBlockedJobs(ctx: ChaosContext, jobs: number, slackMs: number): Promise<SigtermPhaseResult> {
  // Wait past the limit before giving up, so an exit just over it is measured, not cut off.
  const extraWaitMs = slackMs + 3_000;
  const { shutdownTimeoutMs } = ctx.workerSettings;
  const url = ctx.cluster.url;
  const worker = await ctx.ensureReadyWorker();
  const phaseWall = Date.now();
  const lock = await lockEmailTable(url);
  try {
    await enqueuerOf(ctx).enqueue(jobs, ctx.phase);
    const blockedAtSignal = await lock.waitBlocked(15_000);
    if (blockedAtSignal === 0) ctx.log('sigterm phase: no worker query got blocked on the email lock within 15 s');
    const stuck = (await readMailbox(ctx.mailboxDir)).messages.filter((message) => message.storedAt >= phaseWall).map((message) => message.messageId);
    // The jobs this worker is running now (the batch, or older jobs due again): claimed since it started.
    const inFlight = await withClient(url, async (client) => {
      const result = await client.query<{ id: string }>(
        `SELECT id FROM pgboss.job WHERE name = $1 AND state = 'active' AND started_on >= to_timestamp($2 / 1000.0)`,
        [EMAIL_JOB, worker.startedWall],
      );
      return result.rows.map((row) => row.id);
    });

    const signalledWall = Date.now();
    const signalled = performance.now();
    expectWorkerExit(worker);
    worker.signal('SIGTERM');
    const exit = await worker.waitExit(shutdownTimeoutMs + extraWaitMs);
    let orphanQueriesAfterExit = 0;
    let exitAfterReleaseMs: number | undefined;
    if (exit) {
      // The process is gone; a query of it still waiting on the lock would write once the lock goes.
      orphanQueriesAfterExit = await withClient(url, async (client) => {
        const result = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'trademachine-worker%' AND state <> 'idle'`,
        );
        return result.rows[0]?.n ?? 0;
      });
      await lock.release();
    } else {
      ctx.log(`sigterm phase: worker still running ${shutdownTimeoutMs + extraWaitMs} ms after SIGTERM; releasing the lock`);
      await lock.release();
      const late = await worker.waitExit(10_000);
      if (late) exitAfterReleaseMs = Math.round(late.at - signalled);
      else {
        ctx.log('sigterm phase: worker still running 10 s after the lock was released; SIGKILL');
        worker.signal('SIGKILL');
        await worker.exited;
      }
    }
    const exitedWall = worker.exit?.wallAt ?? Date.now();
    // Let the server finish whatever the dead process's connections still had running.
    for (let tries = 0; tries < 50 && (await workerBackends(url)) > 0; tries += 1) await sleep(100);

    const left = await withClient(url, async (client) => {
      const states = await client.query<{ state: string; n: number }>(
        `SELECT state::text AS state, count(*)::int AS n FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[]) GROUP BY 1`,
        [EMAIL_JOB, inFlight],
      );
      const rows = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM email WHERE "messageId" = ANY($1::text[])`, [stuck]);
      const completed = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed' AND output->>'messageId' = ANY($2::text[])`,
        [EMAIL_JOB, stuck],
      );
      return { states: states.rows, rows: rows.rows[0]?.n ?? 0, completed: completed.rows[0]?.n ?? 0 };
    });
    const count = (match: (row: { state: string }) => boolean) => left.states.filter(match).reduce((sum, row) => sum + row.n, 0);
    const sentAfterSignal = (await readMailbox(ctx.mailboxDir)).messages.filter(
      (message) => message.storedAt > signalledWall && message.storedAt <= exitedWall,
    ).length;
    return {
      shutdownTimeoutMs,
      blockedAtSignal,
      sentBeforeSignal: stuck.length,
      sentAfterSignal,
      exitMs: exit ? Math.round(exit.at - signalled) : undefined,
      waitedMs: shutdownTimeoutMs + extraWaitMs,
      exitCode: worker.exit?.code,
      exitAfterReleaseMs,
      orphanQueriesAfterExit,
      writtenAfterHandBack: Math.max(0, left.rows - left.completed),
      completedByStopped: count((row) => row.state === 'completed'),
      inFlightAtSignal: inFlight.length,
      handedBack: count((row) => row.state === 'retry' || row.state === 'created'),
      leftActiveAtExit: count((row) => row.state === 'active'),
    };
  } finally {
    await lock.release();
  }
}

export interface PgRestartResult {
  /** Worker queries stuck on the email lock (messages sent, not yet recorded) when the server went down. */
  readonly blockedAtStop: number;
  readonly stopMs: number;
  readonly downMs: number;
  readonly startMs: number;
  /** From PostgreSQL being back to a worker answering /ready again (maybe a new life). */
  readonly recoveryMs: number;
  /** Worker lives that ended on their own during the phase. */
  readonly workerExits: number;
}

/**
 * Stops the harness's own cluster (fast shutdown) while jobs are stuck between send and record,
 * keeps it down, starts it again. The shutdown also ends the lock.
 */
export async function restartPostgres(ctx: ChaosContext, jobs: number, downMs: number): Promise<PgRestartResult> {
  const exitsBefore = ctx.unexpectedExits.length;
  await ctx.ensureReadyWorker();
  const lock = await lockEmailTable(ctx.cluster.url);
  let blockedAtStop = 0;
  let stopMs: number;
  try {
    await enqueuerOf(ctx).enqueue(jobs, ctx.phase);
    blockedAtStop = await lock.waitBlocked(10_000);
    const stopping = performance.now();
    await ctx.cluster.stop();
    stopMs = Math.round(performance.now() - stopping);
  } finally {
    await lock.release();
  }
  const t1 = performance.now();
  await sleep(downMs);
  const t2 = performance.now();
  await ctx.cluster.start();
  const t3 = performance.now();
  await ctx.ensureReadyWorker(60_000);
  return {
    blockedAtStop,
    stopMs,
    downMs: Math.round(t2 - t1 + stopMs),
    startMs: Math.round(t3 - t2),
    recoveryMs: Math.round(performance.now() - t3),
    workerExits: ctx.unexpectedExits.length - exitsBefore,
  };
}

export interface TerminateResult {
  readonly rounds: number;
  /** Worker queries stuck on the email lock when the first round hit. */
  readonly blockedAtFirstRound: number;
  /** Backends terminated in each round. */
  readonly terminated: readonly number[];
  /** All rounds' terminated backends by application_name. */
  readonly terminatedByName: Readonly<Record<string, number>>;
  readonly recoveryMs: number;
  readonly workerExits: number;
}

/** Terminates the worker's backends; counts them by application_name (which client lost its connection). */
async function terminateWorkerBackends(url: string, byName: Map<string, number>): Promise<number> {
  return withClient(url, async (client) => {
    const result = await client.query<{ name: string; n: number }>(
      `SELECT application_name AS name, count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
       WHERE application_name LIKE 'trademachine-worker%' AND pid <> pg_backend_pid() GROUP BY 1`,
    );
    for (const row of result.rows) byName.set(row.name, (byName.get(row.name) ?? 0) + row.n);
    return result.rows.reduce((sum, row) => sum + row.n, 0);
  });
}

/**
 * pg_terminate_backend on every connection whose application_name starts with trademachine-worker:
 * first while jobs are stuck between send and record, then at random moments while jobs run.
 */
export async function terminateBackends(ctx: ChaosContext, jobs: number, rounds: number): Promise<TerminateResult> {
  const exitsBefore = ctx.unexpectedExits.length;
  const url = ctx.cluster.url;
  await ctx.ensureReadyWorker();
  const firstHalf = Math.ceil(jobs / 2);
  const terminated: number[] = [];
  const byName = new Map<string, number>();
  const lock = await lockEmailTable(url);
  let blockedAtFirstRound = 0;
  try {
    await enqueuerOf(ctx).enqueue(firstHalf, ctx.phase);
    blockedAtFirstRound = await lock.waitBlocked(10_000);
    terminated.push(await terminateWorkerBackends(url, byName));
  } finally {
    await lock.release();
  }
  await enqueuerOf(ctx).enqueue(jobs - firstHalf, ctx.phase);
  for (let round = 1; round < rounds; round += 1) {
    await sleep(ctx.random.int(20, 400));
    terminated.push(await terminateWorkerBackends(url, byName));
  }
  const t0 = performance.now();
  await ctx.ensureReadyWorker(60_000);
  return { rounds, blockedAtFirstRound, terminated, terminatedByName: Object.fromEntries(byName), recoveryMs: Math.round(performance.now() - t0), workerExits: ctx.unexpectedExits.length - exitsBefore };
}

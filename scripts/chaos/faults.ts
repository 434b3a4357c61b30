/**
 * The faults, one function per phase: SIGKILL cycles, SIGTERM while jobs are blocked on a lock,
 * a PostgreSQL restart, and pg_terminate_backend on the worker's connections. Each returns what it
 * measured; none of them judges (see verdict.ts).
 */
import pg from 'pg';
import { HARNESS_APPLICATION_NAME, withClient } from './cluster.ts';
import { EMAIL_JOB } from './enqueue.ts';
import { countMailboxFiles, readMailbox } from './count.ts';
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

/**
 * `kills` cycles of: start a worker, feed it a few jobs at a random moment, SIGKILL it at a random
 * delay after the start. Killed jobs stay active until their heartbeat lapses, then are retried.
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
    const feedAt = ctx.random.int(0, delay);
    delaysMs.push(delay);
    const worker = await ctx.startWorker();
    const wallStart = Date.now();
    let ready = false;
    const readiness = worker.waitReady(delay + 1_000).then(
      () => (ready = true),
      () => {},
    );
    await sleep(feedAt);
    await enqueuerOf(ctx).enqueue(batch, ctx.phase);
    await sleep(delay - (performance.now() - worker.startedAt));
    expectWorkerExit(worker);
    worker.signal('SIGKILL');
    await worker.exited;
    await readiness;
    if (!ready) killsDuringStartup += 1;
    jobsCaughtInFlight += await activeSince(ctx.cluster.url, wallStart);
    done += 1;
    if (done % 10 === 0 || done === kills) ctx.log(`kill phase: ${done}/${kills} kills, ${jobsCaughtInFlight} jobs caught in flight so far`);
  }
  return { kills: done, killsDuringStartup, jobsCaughtInFlight, delaysMs };
}

export interface SigtermPhaseResult {
  readonly shutdownTimeoutMs: number;
  /** Worker connections waiting on the email lock when SIGTERM was sent. */
  readonly blockedAtSignal: number;
  /** Messages the mailbox received from the phase's jobs before the signal (sent, not yet recorded). */
  readonly sentBeforeSignal: number;
  /** Messages stored after the signal, before the process exited. */
  readonly sentAfterSignal: number;
  /** SIGTERM to exit, while the lock was still held; undefined when it did not exit in time. */
  readonly exitMs: number | undefined;
  readonly exitCode: number | null | undefined;
  /** When it did not exit while the lock was held: SIGTERM to exit after the lock was released (or undefined: killed). */
  readonly exitAfterReleaseMs: number | undefined;
  /** Worker queries still running (waiting on the lock) after the process was gone: they write once the lock goes. */
  readonly orphanQueriesAfterExit: number;
  /** The phase's jobs left in state active at exit (not handed back: they wait for heartbeat/expiry). */
  readonly leftActiveAtExit: number;
  /** The phase's jobs handed back for a retry at exit (state created/retry after having run). */
  readonly handedBack: number;
}

/**
 * Holds `LOCK TABLE email IN ACCESS EXCLUSIVE MODE` so jobs get stuck right after sending, then
 * SIGTERMs the worker and measures how long it takes to exit. The lock is released after the exit
 * (or after the wait gave up), and the process is SIGKILLed if it still hangs on.
 */
export async function sigtermWithBlockedJobs(ctx: ChaosContext, jobs: number, extraWaitMs: number): Promise<SigtermPhaseResult> {
  const shutdownTimeoutMs = ctx.workerSettings.shutdownTimeoutMs;
  const worker = await ctx.ensureReadyWorker();
  const locker = new pg.Client({ connectionString: ctx.cluster.url, application_name: HARNESS_APPLICATION_NAME });
  locker.on('error', () => {});
  await locker.connect();
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await locker.query('ROLLBACK').catch(() => {});
    await locker.end().catch(() => {});
  };
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE email IN ACCESS EXCLUSIVE MODE');
    const mailboxBefore = await countMailboxFiles(ctx.mailboxDir);
    const ids = await enqueuerOf(ctx).enqueue(jobs, ctx.phase);

    // Wait until the worker's jobs pile up on the lock and the number stops growing.
    const blockedWorkers = () =>
      withClient(ctx.cluster.url, async (client) => {
        const result = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'trademachine-worker%' AND wait_event_type = 'Lock'`,
        );
        return result.rows[0]?.n ?? 0;
      });
    let blocked = 0;
    let stableSince = performance.now();
    const waitUntil = performance.now() + 15_000;
    while (performance.now() < waitUntil) {
      const now = await blockedWorkers();
      if (now !== blocked) {
        blocked = now;
        stableSince = performance.now();
      } else if (blocked > 0 && performance.now() - stableSince > 700) {
        break;
      }
      await sleep(100);
    }
    if (blocked === 0) ctx.log('sigterm phase: no worker query got blocked on the email lock within 15 s');
    const sentBeforeSignal = (await countMailboxFiles(ctx.mailboxDir)) - mailboxBefore;

    const signalledWall = Date.now();
    const signalled = performance.now();
    expectWorkerExit(worker);
    worker.signal('SIGTERM');
    const exit = await worker.waitExit(shutdownTimeoutMs + extraWaitMs);
    const exitMs = exit ? Math.round(exit.at - signalled) : undefined;
    let exitAfterReleaseMs: number | undefined;
    let orphanQueriesAfterExit = 0;
    let leftActiveAtExit = 0;
    let handedBack = 0;
    const sentAfterSignal = async (until: number) => {
      const mailbox = await readMailbox(ctx.mailboxDir);
      return mailbox.messages.filter((message) => message.storedAt > signalledWall && message.storedAt <= until).length;
    };
    let sentLate = 0;
    if (exit) {
      // The process is gone; whatever of its queries is still waiting on the lock will write once it is released.
      const observed = await withClient(ctx.cluster.url, async (client) => {
        const orphans = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'trademachine-worker%' AND state <> 'idle'`,
        );
        const states = await client.query<{ state: string; started: boolean; n: number }>(
          `SELECT state::text AS state, started_on IS NOT NULL AS started, count(*)::int AS n FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[]) GROUP BY 1, 2`,
          [EMAIL_JOB, ids],
        );
        return { orphans: orphans.rows[0]?.n ?? 0, states: states.rows };
      });
      orphanQueriesAfterExit = observed.orphans;
      leftActiveAtExit = observed.states.filter((row) => row.state === 'active').reduce((sum, row) => sum + row.n, 0);
      handedBack = observed.states.filter((row) => (row.state === 'retry' || row.state === 'created') && row.started).reduce((sum, row) => sum + row.n, 0);
      sentLate = await sentAfterSignal(exit.wallAt);
      await release();
    } else {
      ctx.log(`sigterm phase: worker still running ${shutdownTimeoutMs + extraWaitMs} ms after SIGTERM; releasing the lock`);
      await release();
      const late = await worker.waitExit(10_000);
      if (late) {
        exitAfterReleaseMs = Math.round(late.at - signalled);
      } else {
        ctx.log('sigterm phase: worker still running 10 s after the lock was released; SIGKILL');
        worker.signal('SIGKILL');
        await worker.exited;
      }
      sentLate = await sentAfterSignal(worker.exit?.wallAt ?? Date.now());
    }
    return {
      shutdownTimeoutMs,
      blockedAtSignal: blocked,
      sentBeforeSignal,
      sentAfterSignal: sentLate,
      exitMs,
      exitCode: worker.exit?.code,
      exitAfterReleaseMs,
      orphanQueriesAfterExit,
      leftActiveAtExit,
      handedBack,
    };
  } finally {
    await release();
  }
}

export interface PgRestartResult {
  readonly inFlightAtStop: number;
  readonly stopMs: number;
  readonly downMs: number;
  readonly startMs: number;
  /** From PostgreSQL being back to the worker answering /ready again (maybe as a new life). */
  readonly recoveryMs: number;
  /** Worker lives that ended on their own during the phase. */
  readonly workerExits: number;
}

/** Stops the harness's own cluster (fast shutdown) while jobs run, keeps it down, starts it again. */
export async function restartPostgres(ctx: ChaosContext, jobs: number, downMs: number): Promise<PgRestartResult> {
  const exitsBefore = ctx.unexpectedExits.length;
  const worker = await ctx.ensureReadyWorker();
  const since = Date.now();
  await enqueuerOf(ctx).enqueue(jobs, ctx.phase);
  await sleep(ctx.random.int(20, 200));
  const inFlightAtStop = await activeSince(ctx.cluster.url, since).catch(() => 0);
  const t0 = performance.now();
  await ctx.cluster.stop();
  const stopMs = Math.round(performance.now() - t0);
  await sleep(downMs);
  const t1 = performance.now();
  await ctx.cluster.start();
  const t2 = performance.now();
  await ctx.ensureReadyWorker(60_000);
  const recoveryMs = Math.round(performance.now() - t2);
  if (ctx.worker !== worker) ctx.log(`pg-restart phase: worker life ${worker.life} did not survive; now life ${ctx.worker?.life}`);
  return {
    inFlightAtStop,
    stopMs,
    downMs: Math.round(t1 - t0),
    startMs: Math.round(t2 - t1),
    recoveryMs,
    workerExits: ctx.unexpectedExits.length - exitsBefore,
  };
}

export interface TerminateResult {
  readonly rounds: number;
  /** Backends terminated in each round. */
  readonly terminated: readonly number[];
  readonly recoveryMs: number;
  readonly workerExits: number;
}

/** pg_terminate_backend on every connection whose application_name starts with trademachine-worker, a few times while jobs run. */
export async function terminateBackends(ctx: ChaosContext, jobs: number, rounds: number): Promise<TerminateResult> {
  const exitsBefore = ctx.unexpectedExits.length;
  await ctx.ensureReadyWorker();
  await enqueuerOf(ctx).enqueue(jobs, ctx.phase);
  const terminated: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    await sleep(ctx.random.int(20, 400));
    terminated.push(
      await withClient(ctx.cluster.url, async (client) => {
        const result = await client.query<{ n: number }>(
          `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
           WHERE application_name LIKE 'trademachine-worker%' AND pid <> pg_backend_pid()`,
        );
        return result.rows[0]?.n ?? 0;
      }),
    );
  }
  const t0 = performance.now();
  await ctx.ensureReadyWorker(60_000);
  return { rounds, terminated, recoveryMs: Math.round(performance.now() - t0), workerExits: ctx.unexpectedExits.length - exitsBefore };
}

/**
 * The chaos run: its own PostgreSQL, a real worker process, a few hundred `email.send` test jobs,
 * and the faults in turn (SIGKILL cycles, SIGTERM with blocked jobs, a PostgreSQL restart,
 * pg_terminate_backend); then a bounded wait for every job to settle, and the counts.
 */
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startChaosCluster, withClient, type ChaosCluster } from './cluster.ts';
import { countLive, describeLive, readEmailRows, readJobs, readMailbox } from './count.ts';
import { createContext, DeadlineError, expectWorkerExit, sleep, type ChaosContext } from './context.ts';
import { createEnqueuer, type Enqueuer } from './enqueue.ts';
import {
  killCycles,
  restartPostgres,
  sigtermWithBlockedJobs,
  terminateBackends,
  type KillPhaseResult,
  type PgRestartResult,
  type SigtermPhaseResult,
  type TerminateResult,
} from './faults.ts';
import { seededRandom } from './random.ts';
import { judge, tally, type Check, type Counts, type PhaseWindow } from './verdict.ts';
import { sendEmail } from '../../src/jobs/email/send-email.ts';

/** Jobs of email.send one worker runs at once: how many a single kill can catch mid-send. */
const emailConcurrency = sendEmail.queue.localConcurrency ?? 1;

export interface ChaosOptions {
  readonly jobs: number;
  readonly kills: number;
  readonly seed: number;
  /** Random SIGKILL delay after a worker answers /ready (one cycle in five: after its start, during start-up). Default: 300–3000 ms. */
  readonly killDelayMs: readonly [number, number];
  /** SHUTDOWN_TIMEOUT_MS of every worker. Default: 3000. */
  readonly shutdownTimeoutMs: number;
  /** How long past SHUTDOWN_TIMEOUT_MS a SIGTERMed worker may take. Default: 2000. */
  readonly sigtermSlackMs: number;
  readonly monitorIntervalSeconds: number;
  readonly heartbeatSeconds: number;
  /** How long PostgreSQL stays down. Default: 2000. */
  readonly pgDownMs: number;
  /** pg_terminate_backend rounds. Default: 3. */
  readonly terminateRounds: number;
  /** Bound on waiting for every job to reach a final state. */
  readonly settleTimeoutMs: number;
  /** Hard bound on the whole run (it stops the phases early to keep it). */
  readonly deadlineMs: number;
  /** Keep the temp folder (mailbox, worker log, database files). Default: only when a check fails. */
  readonly keep: 'always' | 'on-failure' | 'never';
  readonly log: (line: string) => void;
}

export const defaultChaosOptions: Omit<ChaosOptions, 'seed' | 'log'> = {
  jobs: 300,
  kills: 100,
  killDelayMs: [300, 3000],
  shutdownTimeoutMs: 3000,
  sigtermSlackMs: 2000,
  monitorIntervalSeconds: 2,
  heartbeatSeconds: 10,
  pgDownMs: 2000,
  terminateRounds: 3,
  settleTimeoutMs: 8 * 60_000,
  deadlineMs: 20 * 60_000,
  keep: 'on-failure',
};

export interface PhaseTiming {
  readonly name: string;
  readonly durationMs: number;
  readonly jobsEnqueued: number;
}

export interface ChaosResult {
  readonly options: Omit<ChaosOptions, 'log'>;
  readonly counts: Counts;
  readonly checks: readonly Check[];
  readonly ok: boolean;
  readonly phases: readonly PhaseTiming[];
  readonly kill: KillPhaseResult | undefined;
  readonly sigterm: SigtermPhaseResult | undefined;
  readonly pgRestart: PgRestartResult | undefined;
  readonly terminate: TerminateResult | undefined;
  /** The final graceful stop of an idle worker, SIGTERM to exit. */
  readonly finalStopMs: number | undefined;
  readonly settleMs: number;
  /** Job states when the wait ended. */
  readonly settledStates: Readonly<Record<string, number>>;
  readonly workerLives: number;
  readonly unexpectedExits: ChaosContext['unexpectedExits'];
  /** Error-level lines the workers logged. */
  readonly workerErrorLines: number;
  /** Phases cut short or skipped, and why. */
  readonly incidents: readonly string[];
  readonly totalMs: number;
  /** Where mailbox and worker log are (kept per options.keep). */
  readonly dir: string;
  readonly kept: boolean;
}

/** How the jobs are shared between the phases: the SIGKILL cycles get what the others leave. */
export function shareJobs(jobs: number): { kill: number; sigterm: number; pgRestart: number; terminate: number } {
  const sigterm = Math.max(10, Math.round(jobs * 0.1));
  const pgRestart = Math.max(10, Math.round(jobs * 0.15));
  const terminate = Math.max(10, Math.round(jobs * 0.15));
  return { kill: Math.max(0, jobs - sigterm - pgRestart - terminate), sigterm, pgRestart, terminate };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = performance.now();
  const deadline = started + options.deadlineMs;
  const dir = await mkdtemp(path.join(tmpdir(), 'tm-chaos-'));
  const mailboxDir = path.join(dir, 'mailbox');
  await mkdir(mailboxDir, { recursive: true });
  const logFile = path.join(dir, 'worker.log');
  const log = options.log;
  const incidents: string[] = [];
  const phases: (PhaseWindow & { startedAt: number; jobsBefore: number })[] = [];
  const timings: PhaseTiming[] = [];
  let cluster: ChaosCluster | undefined;
  let enqueuer: Enqueuer | undefined;
  let ctx: ChaosContext | undefined;
  let kill: KillPhaseResult | undefined;
  let sigterm: SigtermPhaseResult | undefined;
  let pgRestart: PgRestartResult | undefined;
  let terminate: TerminateResult | undefined;
  let finalStopMs: number | undefined;
  let settleMs = 0;
  let settledStates: Record<string, number> = {};

  const closePhase = () => {
    const open = phases.at(-1);
    if (open && timings.length < phases.length) {
      timings.push({ name: open.name, durationMs: Math.round(performance.now() - open.startedAt), jobsEnqueued: (enqueuer?.ids.length ?? 0) - open.jobsBefore });
    }
  };
  const phase = (name: string) => {
    closePhase();
    phases.push({ name, wallStart: Date.now(), startedAt: performance.now(), jobsBefore: enqueuer?.ids.length ?? 0 });
    if (ctx) ctx.phase = name;
    log(`phase ${name}`);
  };
  /** Runs a phase; a failure is recorded and the run goes on to the next phase and the count. */
  const attempt = async <T>(name: string, work: (context: ChaosContext) => Promise<T>): Promise<T | undefined> => {
    if (!ctx) return undefined;
    phase(name);
    try {
      return await work(ctx);
    } catch (error) {
      const message = `${name}: ${error instanceof Error ? error.message : String(error)}${error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : ''}`;
      incidents.push(message);
      log(`incident: ${message}`);
      // Whatever happened, the database must be up for the next phase and for counting.
      if (cluster && !cluster.running) await cluster.start().catch((startError: unknown) => incidents.push(`restarting PostgreSQL: ${String(startError)}`));
      return undefined;
    }
  };

  try {
    phase('setup');
    cluster = await startChaosCluster(dir);
    const share = shareJobs(options.jobs);
    const random = seededRandom(options.seed);
    const workerSettings = {
      databaseUrl: cluster.url,
      mailboxDir,
      shutdownTimeoutMs: options.shutdownTimeoutMs,
      monitorIntervalSeconds: options.monitorIntervalSeconds,
      heartbeatSeconds: options.heartbeatSeconds,
      logFile,
    };
    // The first worker creates the queue schema and the queues; the enqueuer needs both.
    ctx = createContext({ cluster, random, mailboxDir, workerSettings, deadline, readyTimeoutMs: 30_000, log });
    const first = await ctx.ensureReadyWorker();
    enqueuer = await createEnqueuer(cluster.url, cluster.userId, (error) => log(`enqueuer: ${error instanceof Error ? error.message : String(error)}`));
    ctx.enqueuer = enqueuer;
    expectWorkerExit(first);
    first.signal('SIGTERM');
    if ((await first.waitExit(options.shutdownTimeoutMs + 10_000)) === undefined) {
      first.signal('SIGKILL');
      await first.exited;
    }

    kill = await attempt('sigkill', (c) => killCycles(c, options.kills, share.kill, options.killDelayMs));
    // Jobs meant for kill cycles that did not happen (kills 0, or cut short) still get run.
    const owedToKill = share.kill - enqueuer.ids.length;
    if (owedToKill > 0) await enqueuer.enqueue(owedToKill, 'sigkill');
    sigterm = await attempt('sigterm', (c) => sigtermWithBlockedJobs(c, share.sigterm, options.sigtermSlackMs));
    pgRestart = await attempt('pg-restart', (c) => restartPostgres(c, share.pgRestart, options.pgDownMs));
    terminate = await attempt('terminate', (c) => terminateBackends(c, share.terminate, options.terminateRounds));

    // Top up: every phase owes its share even when it failed early, so the count is always of options.jobs.
    const missingJobs = options.jobs - enqueuer.ids.length;
    phase('settle');
    if (missingJobs > 0) {
      incidents.push(`${missingJobs} jobs of failed phases enqueued at the settle phase instead`);
      await enqueuer.enqueue(missingJobs, 'settle');
    }
    const settleStart = performance.now();
    const settleUntil = Math.min(settleStart + options.settleTimeoutMs, deadline - 15_000);
    let lastProgress = 0;
    for (;;) {
      const context = ctx;
      if (context.worker === undefined || context.worker.exit !== undefined) {
        await context.ensureReadyWorker().catch((error: unknown) => log(`settle: ${error instanceof Error ? error.message : String(error)}`));
      }
      const live = await withClient(cluster.url, (client) => countLive(client, enqueuer?.ids ?? [])).catch(() => undefined);
      if (live) settledStates = live.byState;
      if (live && live.live === 0) break;
      if (performance.now() >= settleUntil) {
        incidents.push(`settle: gave up after ${Math.round((performance.now() - settleStart) / 1000)} s with ${live?.live ?? '?'} jobs still live`);
        const detail = await withClient(cluster.url, (client) => describeLive(client, enqueuer?.ids ?? [])).catch(() => []);
        for (const line of detail) incidents.push(`  live: ${line}`);
        break;
      }
      if (performance.now() - lastProgress > 10_000) {
        lastProgress = performance.now();
        log(`settle: ${JSON.stringify(settledStates)} after ${Math.round((performance.now() - settleStart) / 1000)} s`);
      }
      await sleep(1_000);
    }
    settleMs = Math.round(performance.now() - settleStart);
    phase('final-stop');
    const last = ctx.worker;
    if (last && last.exit === undefined) {
      expectWorkerExit(last);
      const t0 = performance.now();
      last.signal('SIGTERM');
      const exit = await last.waitExit(options.shutdownTimeoutMs + 10_000);
      if (exit) finalStopMs = Math.round(exit.at - t0);
      else {
        incidents.push('final stop: idle worker still running 10 s past SHUTDOWN_TIMEOUT_MS; killed');
        last.signal('SIGKILL');
        await last.exited;
      }
    }
    closePhase();
  } catch (error) {
    const message = error instanceof DeadlineError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    incidents.push(`run aborted: ${message}`);
    log(`run aborted: ${message}`);
    closePhase();
  }

  // Count, whatever happened above.
  let counts: Counts;
  try {
    const worker = ctx?.worker;
    if (worker && worker.exit === undefined) {
      expectWorkerExit(worker);
      worker.signal('SIGKILL');
      await worker.exited;
    }
    if (cluster && !cluster.running) await cluster.start();
    const ids = enqueuer?.ids ?? [];
    const url = cluster?.url;
    const db = url
      ? await withClient(url, async (client) => ({ ...(await readJobs(client, ids)), emailRows: await readEmailRows(client) }))
      : { jobs: new Map(), deadLettered: new Set<string>(), emailRows: [] as string[] };
    const mailbox = await readMailbox(mailboxDir);
    counts = tally({ ids, jobs: db.jobs, deadLettered: db.deadLettered, emailRows: db.emailRows, mailbox, phases });
  } finally {
    await enqueuer?.close().catch(() => {});
    await cluster?.stop().catch(() => {});
  }
  const checks = judge(counts, {
    // A kill can cut every job in hand between its send and its record: up to email.send's
    // concurrency per kill. Those repeats carry the job's key, so no message is stored twice.
    repeatBudget: { phase: 'sigkill', max: (kill?.kills ?? 0) * emailConcurrency },
    sigterm,
    sigtermSlackMs: options.sigtermSlackMs,
  });
  const ok = checks.every((check) => check.ok !== false) && !incidents.some((incident) => incident.startsWith('run aborted'));
  const kept = options.keep === 'always' || (options.keep === 'on-failure' && !ok);
  // As root the cluster may live elsewhere behind a pgdata symlink (scripts/lib/embedded-postgres.ts).
  const pgdata = await realpath(path.join(dir, 'pgdata')).catch(() => undefined);
  if (pgdata) await rm(pgdata, { recursive: true, force: true }).catch(() => {});
  if (kept) await rm(path.join(dir, 'pgdata'), { recursive: true, force: true }).catch(() => {});
  else await rm(dir, { recursive: true, force: true });
  const { log: _log, ...shown } = options;
  return {
    options: shown,
    counts,
    checks,
    ok,
    phases: timings,
    kill,
    sigterm,
    pgRestart,
    terminate,
    finalStopMs,
    settleMs,
    settledStates,
    workerLives: ctx?.lives.length ?? 0,
    unexpectedExits: ctx?.unexpectedExits ?? [],
    workerErrorLines: ctx?.lives.reduce((sum, life) => sum + life.errorLines.length, 0) ?? 0,
    incidents,
    totalMs: Math.round(performance.now() - started),
    dir,
    kept,
  };
}

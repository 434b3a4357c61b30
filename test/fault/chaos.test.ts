/**
 * Issue 7, "no job is ever lost, and no side effect happens twice", against real worker processes:
 * the chaos harness of `npm run chaos`, smaller (120 jobs, 4 SIGKILLs, one SIGTERM with jobs
 * blocked on the email lock, one PostgreSQL restart, one round of pg_terminate_backend), on its
 * own embedded PostgreSQL (the suite's cluster cannot be restarted under the other test files).
 * CHAOS_SEED=<n> replays a run; the seed of every run is printed as a diagnostic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultChaosOptions, runChaos } from '../../scripts/chaos/run.ts';
import { formatReport } from '../../scripts/chaos/report.ts';
import { randomSeed } from '../../scripts/chaos/random.ts';
import { sendEmail } from '../../src/jobs/email/send-email.ts';

const JOBS = 120;
const KILLS = 4;
const SHUTDOWN_TIMEOUT_MS = 3000;
/** A SIGTERMed worker may overrun SHUTDOWN_TIMEOUT_MS by this much (closing pools, exiting). */
const SIGTERM_SLACK_MS = 2000;

test('every job is done, none is lost and no message is sent twice through kills, a blocked SIGTERM, a PostgreSQL restart and terminated backends', { timeout: 170_000 }, async (t) => {
  const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : randomSeed();
  t.diagnostic(`seed ${seed} (replay: CHAOS_SEED=${seed})`);
  const result = await runChaos({
    ...defaultChaosOptions,
    jobs: JOBS,
    kills: KILLS,
    seed,
    killDelayMs: [300, 1500],
    shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS,
    sigtermSlackMs: SIGTERM_SLACK_MS,
    pgDownMs: 1500,
    terminateRounds: 3,
    // An interrupted job is retried once its heartbeat (10 s) lapses, after a 15–30 s backoff; a
    // job interrupted twice needs 30–60 s more. Past that something is stuck, not slow.
    settleTimeoutMs: 100_000,
    deadlineMs: 160_000,
    keep: 'on-failure',
    log: (line) => t.diagnostic(line),
  });
  const report = formatReport(result);
  t.diagnostic(`\n${report}`);
  const c = result.counts;

  // Every job done, none lost.
  assert.deepEqual(
    { enqueued: c.enqueued, completed: c.completed, failed: c.failed, deadLettered: c.deadLettered, cancelled: c.cancelled, pending: c.pending, missing: c.missing },
    { enqueued: JOBS, completed: JOBS, failed: 0, deadLettered: 0, cancelled: 0, pending: 0, missing: 0 },
    report,
  );
  // No message sent twice: one stored message and one email row per job, the recorded id the sent one.
  assert.deepEqual(
    {
      messages: c.messages,
      jobsWithOneMessage: c.jobsWithOneMessage,
      strayMessages: c.strayMessages,
      emailRows: c.emailRows,
      jobsRecorded: c.jobsRecorded,
      idMismatches: c.idMismatches ?? 0,
    },
    { messages: JOBS, jobsWithOneMessage: JOBS, strayMessages: 0, emailRows: JOBS, jobsRecorded: JOBS, idMismatches: 0 },
    report,
  );
  // Repeated send calls (the idempotency key caught them) only from the instant a SIGKILL can hit
  // between the provider's answer and the record; never from a graceful stop or a lost database.
  if (c.deliveries === undefined || c.repeats === undefined) {
    t.diagnostic('repeated deliveries: not available (the mailbox keeps no deliveries.jsonl)');
  } else {
    // Every job's key was delivered at least once, and at most once without being a repeat (a repeat
    // can follow a claim whose call a kill cut short before it logged its own line).
    assert.ok(c.deliveries >= JOBS && c.deliveries - c.repeats <= JOBS, `one first delivery per job, the rest repeats\n${report}`);
    const { sigkill = 0, ...elsewhere } = c.repeatsByPhase ?? {};
    // Each kill can catch every job in hand between send and record (email.send's concurrency).
    const perKill = sendEmail.queue.localConcurrency ?? 1;
    assert.ok(sigkill <= KILLS * perKill, `at most ${perKill} repeats per kill (got ${sigkill} from ${KILLS} kills)\n${report}`);
    assert.deepEqual(elsewhere, {}, `no repeats outside the SIGKILL phase\n${report}`);
  }

  // SIGTERM with jobs stuck after sending: out within the timeout, and nothing happens after.
  const s = result.sigterm;
  assert.ok(s);
  assert.ok(s.exitMs !== undefined && s.exitMs <= SHUTDOWN_TIMEOUT_MS + SIGTERM_SLACK_MS, `SIGTERM to exit ${s.exitMs ?? 'never (while the lock was held)'} ms, limit ${SHUTDOWN_TIMEOUT_MS + SIGTERM_SLACK_MS} ms\n${report}`);
  assert.equal(s.sentAfterSignal, 0, 'no message sent after SIGTERM');
  assert.equal(s.orphanQueriesAfterExit, 0, 'no query of the stopped worker left waiting to write after it exited');
  assert.equal(s.leftActiveAtExit, 0, 'the stopped worker handed its running jobs back instead of leaving them active until expiry');

  // The faults all happened as planned (a phase that failed early would prove nothing).
  assert.deepEqual(result.incidents, [], `the run went as planned\n${report}`);
  assert.equal(result.kill?.kills, KILLS, 'every kill cycle ran');
  assert.ok((result.sigterm?.blockedAtSignal ?? 0) > 0, `the SIGTERM phase had jobs blocked on the email lock\n${report}`);
  assert.ok(result.pgRestart, 'PostgreSQL was restarted');
  assert.ok((result.terminate?.terminated[0] ?? 0) > 0, 'worker backends were terminated');
  assert.ok(result.ok, report);
});

/** The printed report: counts, phase timings, shutdown timings against the timeout, and the checks. */
import type { ChaosResult } from './run.ts';

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const na = 'not available';
const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

export function formatReport(result: ChaosResult): string {
  const { counts: c, options: o } = result;
  const out: string[] = [];
  out.push(
    `chaos run: ${o.jobs} jobs, ${o.kills} kill cycles, seed ${o.seed}; SHUTDOWN_TIMEOUT_MS=${o.shutdownTimeoutMs}, heartbeat ${o.heartbeatSeconds} s, monitor ${o.monitorIntervalSeconds} s; ${seconds(result.totalMs)} in all`,
  );
  out.push('');
  out.push(
    table([
      ['count', 'n'],
      ['jobs enqueued', String(c.enqueued)],
      ['jobs completed', String(c.completed)],
      ['jobs failed', String(c.failed)],
      ['jobs dead-lettered (email.send.dead)', String(c.deadLettered)],
      ['jobs cancelled', String(c.cancelled)],
      ['jobs still pending', String(c.pending)],
      ['jobs missing from the queue', String(c.missing)],
      ['jobs retried / extra attempts', `${c.retriedJobs} / ${c.extraAttempts}`],
      ['messages in the mailbox', String(c.messages)],
      ['jobs with exactly one message', String(c.jobsWithOneMessage)],
      ['jobs with no message', String(c.jobsWithoutMessage)],
      ['jobs with several messages', String(c.jobsWithSeveralMessages)],
      [c.keyed ? 'messages of no job' : 'messages of no job (duplicates)', String(c.strayMessages)],
      ['messages carry idempotency keys', c.keyed ? 'yes' : 'no'],
      ['deliveries (send calls)', c.deliveries === undefined ? na : String(c.deliveries)],
      ['repeated deliveries (caught by the key)', c.repeats === undefined ? na : String(c.repeats)],
      ...Object.entries(c.repeatsByPhase ?? {}).map(([phase, n]) => [`  first sent in phase ${phase}`, String(n)]),
      ['email rows', String(c.emailRows)],
      ['jobs with their email row', String(c.jobsRecorded)],
      ['recorded id differs from sent id', c.idMismatches === undefined ? na : String(c.idMismatches)],
      ['worker lives / unexpected exits', `${result.workerLives} / ${result.unexpectedExits.length}`],
      ['worker error-level log entries', String(result.workerErrorLines)],
    ]),
  );
  out.push('');
  out.push(table([['phase', 'duration', 'jobs'], ...result.phases.map((p) => [p.name, seconds(p.durationMs), String(p.jobsEnqueued)])]));
  out.push('');

  const faultRows: string[][] = [['fault', 'measured']];
  if (result.kill) {
    const k = result.kill;
    const sorted = [...k.delaysMs].sort((a, b) => a - b);
    faultRows.push(['SIGKILL cycles', `${k.kills} kills (${k.killsDuringStartup} before /ready), delays ${sorted[0] ?? '-'}–${sorted.at(-1) ?? '-'} ms, ${k.jobsCaughtInFlight} jobs caught in flight`]);
  }
  if (result.sigterm) {
    const s = result.sigterm;
    faultRows.push([
      'SIGTERM, jobs blocked on email lock',
      s.exitMs !== undefined
        ? `exit after ${s.exitMs} ms (timeout ${s.shutdownTimeoutMs} ms, code ${s.exitCode})`
        : `no exit within ${s.waitedMs} ms; ${s.exitAfterReleaseMs !== undefined ? `exited ${s.exitAfterReleaseMs} ms after SIGTERM once the lock was released` : 'killed'}`,
    ]);
    faultRows.push(['  at the signal', `${s.blockedAtSignal} queries blocked, ${s.sentBeforeSignal} messages sent and not recorded`]);
    faultRows.push(['  the stopped process', `of ${s.inFlightAtSignal} jobs in flight: completed ${s.completedByStopped}, handed back ${s.handedBack}, left active ${s.leftActiveAtExit}`]);
    faultRows.push(['  after the stop', `${s.sentAfterSignal} sent after SIGTERM, ${s.writtenAfterHandBack} rows written after hand-back, ${s.orphanQueriesAfterExit} orphan queries`]);
  }
  if (result.pgRestart) {
    const p = result.pgRestart;
    faultRows.push(['PostgreSQL restart', `${p.blockedAtStop} jobs stuck after sending; stop ${p.stopMs} ms, down ${p.downMs} ms, start ${p.startMs} ms; worker ready ${p.recoveryMs} ms later; ${p.workerExits} worker exits`]);
  }
  if (result.terminate) {
    const t = result.terminate;
    faultRows.push(['pg_terminate_backend', `${t.rounds} rounds (first with ${t.blockedAtFirstRound} jobs stuck after sending), ${t.terminated.join('+')} backends (${Object.entries(t.terminatedByName).map(([name, n]) => `${name.replace(/^trademachine-worker/, 'tw')} ${n}`).join(', ')}); worker ready ${t.recoveryMs} ms later; ${t.workerExits} worker exits`]);
  }
  faultRows.push(['final SIGTERM (idle worker)', result.finalStopMs === undefined ? '-' : `exit after ${result.finalStopMs} ms (timeout ${o.shutdownTimeoutMs} ms)`]);
  faultRows.push(['settle', `${seconds(result.settleMs)}; states at the end ${JSON.stringify(result.settledStates)}`]);
  out.push(table(faultRows));
  if (result.unexpectedExits.length > 0) {
    out.push('');
    for (const e of result.unexpectedExits) {
      out.push(`unexpected worker exit: life ${e.life} in phase ${e.phase} (code ${e.code}, signal ${e.signal})${e.crash ? `: ${e.crash}` : ''}`);
    }
  }
  if (result.incidents.length > 0) {
    out.push('');
    for (const incident of result.incidents) out.push(`incident: ${incident}`);
  }
  out.push('');
  for (const check of result.checks) {
    const mark = check.ok === undefined ? 'N/A ' : check.ok ? 'ok  ' : 'FAIL';
    out.push(`${mark} ${check.guarantee ? '' : '(shutdown) '}${check.name}: ${check.detail}`);
  }
  out.push('');
  const guaranteeHolds = result.checks.every((check) => !check.guarantee || check.ok !== false) && !result.incidents.some((i) => i.startsWith('run aborted'));
  const shutdownOk = result.checks.every((check) => check.guarantee || check.ok !== false);
  out.push(
    guaranteeHolds
      ? `GUARANTEE HOLDS: every job done, none lost, no message sent twice${shutdownOk ? '' : ' (but a shutdown expectation failed)'}`
      : 'GUARANTEE BROKEN (see the FAIL lines above)',
  );
  if (result.kept) out.push(`mailbox and worker log kept in ${result.dir}`);
  return out.join('\n');
}

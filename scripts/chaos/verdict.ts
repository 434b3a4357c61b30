/**
 * Turns what was counted into the numbers of the report and the checks of the guarantee: every
 * job done, none lost, no message sent twice.
 */
import type { JobRow, Mailbox, MailboxMessage } from './count.ts';
import { keyOf } from './count.ts';
import type { SigtermPhaseResult } from './faults.ts';

export interface PhaseWindow {
  readonly name: string;
  /** Wall-clock start (epoch ms); a phase lasts until the next one starts. */
  readonly wallStart: number;
}

export interface Counts {
  readonly enqueued: number;
  readonly completed: number;
  /** In state failed (retries exhausted or permanent). */
  readonly failed: number;
  /** Copied into email.send.dead. */
  readonly deadLettered: number;
  readonly cancelled: number;
  /** Still created, retry or active when the wait ended. */
  readonly pending: number;
  /** Gone from the job table altogether. */
  readonly missing: number;
  /** Jobs that needed more than one attempt, and the attempts beyond the first. */
  readonly retriedJobs: number;
  readonly extraAttempts: number;
  readonly messages: number;
  /** Whether the stored messages carry the job's idempotency key. */
  readonly keyed: boolean;
  /** Jobs with exactly one / no / several stored messages (by key; by the recorded messageId when unkeyed). */
  readonly jobsWithOneMessage: number;
  readonly jobsWithoutMessage: number;
  readonly jobsWithSeveralMessages: number;
  /** Messages that belong to no job (unkeyed: sent but never recorded as a job's result, i.e. duplicates). */
  readonly strayMessages: number;
  /** undefined: the mailbox keeps no deliveries log. */
  readonly deliveries: number | undefined;
  readonly repeats: number | undefined;
  /** Repeats by the phase in which the key was first sent (where the interruption happened). */
  readonly repeatsByPhase: Readonly<Record<string, number>> | undefined;
  readonly emailRows: number;
  /** Jobs whose result messageId has an `email` row. */
  readonly jobsRecorded: number;
  /** Completed jobs whose result messageId differs from the stored message of their key. */
  readonly idMismatches: number | undefined;
}

export interface Check {
  readonly name: string;
  /** undefined: could not be checked (not available). */
  readonly ok: boolean | undefined;
  readonly detail: string;
  /** Part of "every job done, none lost, no message sent twice" (the rest are shutdown expectations). */
  readonly guarantee: boolean;
}

function phaseAt(phases: readonly PhaseWindow[], at: number): string {
  let name = phases[0]?.name ?? 'unknown';
  for (const phase of phases) if (phase.wallStart <= at) name = phase.name;
  return name;
}

export function tally(input: {
  ids: readonly string[];
  jobs: ReadonlyMap<string, JobRow>;
  deadLettered: ReadonlySet<string>;
  emailRows: readonly string[];
  mailbox: Mailbox;
  phases: readonly PhaseWindow[];
}): Counts {
  const { ids, jobs, mailbox } = input;
  const rows = [...jobs.values()];
  const byState = (state: string) => rows.filter((row) => row.state === state).length;
  const keyed = mailbox.messages.some((message) => message.idempotencyKey !== undefined);
  const idSet = new Set(ids);

  let jobsWithOneMessage = 0;
  let jobsWithoutMessage = 0;
  let jobsWithSeveralMessages = 0;
  let strayMessages = 0;
  let idMismatches: number | undefined;
  if (keyed) {
    const perKey = new Map<string, MailboxMessage[]>();
    const keyOfMessageId = new Map<string, string>();
    for (const message of mailbox.messages) {
      const key = message.idempotencyKey ?? '';
      perKey.set(key, [...(perKey.get(key) ?? []), message]);
      keyOfMessageId.set(message.messageId, key);
    }
    idMismatches = 0;
    const jobKeys = new Set<string>();
    for (const id of ids) {
      const result = jobs.get(id)?.messageId ?? undefined;
      // The key is derived from the job; whatever its format, the recorded messageId leads to it.
      const key = [keyOf(id), id].find((candidate) => perKey.has(candidate)) ?? (result ? keyOfMessageId.get(result) : undefined);
      const stored = key === undefined ? [] : (perKey.get(key) ?? []);
      if (key !== undefined) jobKeys.add(key);
      if (stored.length === 1) jobsWithOneMessage += 1;
      else if (stored.length === 0) jobsWithoutMessage += 1;
      else jobsWithSeveralMessages += 1;
      if (result && stored.length > 0 && !stored.some((message) => message.messageId === result)) idMismatches += 1;
    }
    strayMessages = mailbox.messages.filter((message) => !jobKeys.has(message.idempotencyKey ?? '')).length;
  } else {
    const perMessageId = new Map<string, number>();
    for (const message of mailbox.messages) perMessageId.set(message.messageId, (perMessageId.get(message.messageId) ?? 0) + 1);
    const resultIds = new Set<string>();
    for (const id of ids) {
      const result = jobs.get(id)?.messageId;
      const stored = result ? (perMessageId.get(result) ?? 0) : 0;
      if (result) resultIds.add(result);
      if (stored === 1) jobsWithOneMessage += 1;
      else if (stored === 0) jobsWithoutMessage += 1;
      else jobsWithSeveralMessages += 1;
    }
    strayMessages = mailbox.messages.filter((message) => !resultIds.has(message.messageId)).length;
  }

  let repeats: number | undefined;
  let repeatsByPhase: Record<string, number> | undefined;
  if (mailbox.deliveries) {
    // When the key was first sent: its stored message says so even when the process died before
    // logging that delivery (a SIGKILL between storing and logging).
    const firstSend = new Map<string, number>();
    const earliest = (key: string, at: number) => firstSend.set(key, Math.min(at, firstSend.get(key) ?? at));
    for (const message of mailbox.messages) if (message.idempotencyKey !== undefined) earliest(message.idempotencyKey, message.storedAt);
    for (const delivery of mailbox.deliveries) if (!delivery.repeat) earliest(delivery.key, delivery.at);
    repeatsByPhase = {};
    repeats = 0;
    for (const delivery of mailbox.deliveries) {
      if (!delivery.repeat) continue;
      repeats += 1;
      const phase = phaseAt(input.phases, firstSend.get(delivery.key) ?? delivery.at);
      repeatsByPhase[phase] = (repeatsByPhase[phase] ?? 0) + 1;
    }
  }

  const recorded = new Set(input.emailRows);
  return {
    enqueued: ids.length,
    completed: byState('completed'),
    failed: byState('failed'),
    deadLettered: [...input.deadLettered].filter((id) => idSet.has(id)).length,
    cancelled: byState('cancelled'),
    pending: byState('created') + byState('retry') + byState('active'),
    missing: ids.filter((id) => !jobs.has(id)).length,
    retriedJobs: rows.filter((row) => row.retryCount > 0).length,
    extraAttempts: rows.reduce((sum, row) => sum + row.retryCount, 0),
    messages: mailbox.messages.length,
    keyed,
    jobsWithOneMessage,
    jobsWithoutMessage,
    jobsWithSeveralMessages,
    strayMessages,
    deliveries: mailbox.deliveries?.length,
    repeats,
    repeatsByPhase,
    emailRows: input.emailRows.length,
    jobsRecorded: ids.filter((id) => {
      const result = jobs.get(id)?.messageId;
      return result !== null && result !== undefined && recorded.has(result);
    }).length,
    idMismatches,
  };
}

/** Which phase is allowed repeats (the SIGKILL one), and how many. */
export interface RepeatBudget {
  readonly phase: string;
  readonly max: number;
}

export function judge(counts: Counts, options: { repeatBudget: RepeatBudget; sigterm: SigtermPhaseResult | undefined; sigtermSlackMs: number }): Check[] {
  const c = counts;
  const checks: Check[] = [
    {
      name: 'every job done',
      ok: c.completed === c.enqueued,
      detail: `${c.completed}/${c.enqueued} completed`,
      guarantee: true,
    },
    {
      name: 'none lost',
      ok: c.pending === 0 && c.missing === 0 && c.failed === 0 && c.deadLettered === 0 && c.cancelled === 0,
      detail: `pending ${c.pending}, missing ${c.missing}, failed ${c.failed}, dead-lettered ${c.deadLettered}, cancelled ${c.cancelled}`,
      guarantee: true,
    },
    {
      name: 'exactly one message per job',
      ok: c.jobsWithOneMessage === c.enqueued && c.strayMessages === 0,
      detail: `${c.jobsWithOneMessage}/${c.enqueued} jobs with one message; ${c.jobsWithoutMessage} with none, ${c.jobsWithSeveralMessages} with several; ${c.strayMessages} messages of no job${c.keyed ? '' : ' (no idempotency keys: matched by recorded messageId, so a stray message is a duplicate send)'}`,
      guarantee: true,
    },
    {
      name: 'exactly one email row per job',
      ok: c.jobsRecorded === c.enqueued && c.emailRows === c.enqueued,
      detail: `${c.jobsRecorded}/${c.enqueued} jobs recorded; ${c.emailRows} rows`,
      guarantee: true,
    },
  ];
  if (c.idMismatches !== undefined) {
    checks.push({ name: 'recorded id is the sent id', ok: c.idMismatches === 0, detail: `${c.idMismatches} mismatches`, guarantee: true });
  }
  if (c.repeats === undefined || c.repeatsByPhase === undefined) {
    checks.push({ name: 'repeated sends within bounds', ok: undefined, detail: 'not available: the mailbox keeps no deliveries.jsonl', guarantee: true });
  } else {
    const budget = options.repeatBudget;
    const inBudget = c.repeatsByPhase[budget.phase] ?? 0;
    const elsewhere = Object.entries(c.repeatsByPhase).filter(([phase]) => phase !== budget.phase);
    const outside = elsewhere.reduce((sum, [, n]) => sum + n, 0);
    checks.push({
      name: 'repeated sends within bounds',
      ok: inBudget <= budget.max && outside === 0,
      detail: `${inBudget} from the ${budget.phase} phase (allowed ≤ ${budget.max}), ${outside} from other phases (allowed 0)${elsewhere.length ? `: ${elsewhere.map(([p, n]) => `${p} ${n}`).join(', ')}` : ''}`,
      guarantee: true,
    });
  }
  const s = options.sigterm;
  if (s) {
    const limit = s.shutdownTimeoutMs + options.sigtermSlackMs;
    checks.push({
      name: 'SIGTERM with blocked jobs: exit in time',
      ok: s.exitMs !== undefined && s.exitMs <= limit,
      detail:
        s.exitMs !== undefined
          ? `exited in ${s.exitMs} ms (code ${s.exitCode}); limit ${limit} ms`
          : `still running after ${s.waitedMs} ms${s.exitAfterReleaseMs !== undefined ? `; exited ${s.exitAfterReleaseMs} ms after SIGTERM, once the lock was released` : '; killed'}`,
      guarantee: false,
    });
    checks.push({
      name: 'SIGTERM: nothing sent or written after the stop',
      ok: s.sentAfterSignal === 0 && s.orphanQueriesAfterExit === 0 && s.writtenAfterHandBack === 0,
      detail: `${s.sentAfterSignal} messages sent after SIGTERM; ${s.writtenAfterHandBack} email rows written for jobs it had handed back; ${s.orphanQueriesAfterExit} worker queries still waiting to write after the process exited`,
      guarantee: false,
    });
  }
  return checks;
}

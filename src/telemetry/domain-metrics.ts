import { lazyInstruments } from './instruments.ts';

/**
 * What a sync did to the owner's rows: inserted new ones, updated existing ones, skipped what it
 * could not match, or cleared (un-owned / emptied) what upstream no longer lists.
 */
export type SyncRecordAction = 'inserted' | 'updated' | 'skipped' | 'cleared';

/** sent: the provider accepted it; failed: the provider refused or could not be reached. */
export type EmailOutcome = 'sent' | 'failed';

/**
 * What the players sync found that ESPN and the owner's rows disagree on (issue 8): majors whose
 * owner differs from ESPN's roster, ESPN players it could not place without guessing, ESPN ids on
 * several rows, updates left out for a conflict, and rows ESPN no longer lists.
 */
export type PlayersDiscrepancy = 'owner_differs' | 'ambiguous' | 'duplicate_espn_id' | 'conflict' | 'missing_from_espn';

const instruments = lazyInstruments((meter) => ({
  playersDiscrepancies: meter.createGauge('worker.espn.players.discrepancies', {
    description: 'What the last players sync of each target found ESPN and the owner disagree on, by kind',
  }),
  syncRecords: meter.createCounter('worker.sync.records', { description: 'Owner rows a sync touched, by job and action' }),
  emails: meter.createCounter('worker.emails', { description: 'Emails handed to the provider, by type, provider and outcome' }),
}));

/** Counts a sync's records; jobs call it once per target with what they did. Zero counts are skipped. */
export function countSyncRecords(job: string, counts: Partial<Record<SyncRecordAction, number>>): void {
  const { syncRecords } = instruments();
  for (const [action, count] of Object.entries(counts)) {
    if (count && count > 0) syncRecords.add(count, { job_name: job, action });
  }
}

/** Counts one email send attempt. `type` is the payload's email type, `provider` the configured one: both bounded. */
export function countEmail(type: string, provider: string, outcome: EmailOutcome): void {
  instruments().emails.add(1, { type, provider, outcome });
}

/** Records the last players sync's findings for one target; every kind, zeros included, so a panel shows the drop to 0. */
export function recordPlayersDiscrepancies(target: string, counts: Readonly<Record<PlayersDiscrepancy, number>>): void {
  const { playersDiscrepancies } = instruments();
  for (const [kind, count] of Object.entries(counts)) playersDiscrepancies.record(count, { target, kind });
}

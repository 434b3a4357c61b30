import { lazyInstruments } from './instruments.ts';

/**
 * What a sync did to the owner's rows: inserted new ones, updated existing ones, skipped what it
 * could not match, or cleared (un-owned / emptied) what upstream no longer lists.
 */
export type SyncRecordAction = 'inserted' | 'updated' | 'skipped' | 'cleared';

/** sent: the provider accepted it; failed: the provider refused or could not be reached. */
export type EmailOutcome = 'sent' | 'failed';

const instruments = lazyInstruments((meter) => ({
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

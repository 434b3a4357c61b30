import { lazyInstruments } from './instruments.ts';

/** Which provider's webhook an event came from; `unknown` when the enqueuer did not say. */
export type EmailStatusProvider = 'brevo' | 'mailgun' | 'unknown';

/** What `email.status` did with one event. */
export type EmailStatusOutcome = 'inserted' | 'updated' | 'ignored_older' | 'ignored_final';

/** Events worth a look: for a message id the owner never recorded, or an event string the rank table lacks. */
export type EmailStatusAnomaly = 'unknown_message' | 'unknown_event';

const instruments = lazyInstruments((meter) => ({
  statuses: meter.createCounter('worker.email_status.events', { description: 'Delivery events applied to email.status, by provider and outcome' }),
  anomalies: meter.createCounter('worker.email_status.anomalies', { description: 'Delivery events for unknown message ids or with unknown event strings, by provider and kind' }),
}));

/** Counts one delivery event by what it did; both labels are bounded enums, never the message id. */
export function countEmailStatus(provider: EmailStatusProvider, outcome: EmailStatusOutcome): void {
  instruments().statuses.add(1, { provider, outcome });
}

/** Counts an event the owner's data did not expect (unknown message id, unknown event string). */
export function countEmailStatusAnomaly(provider: EmailStatusProvider, kind: EmailStatusAnomaly): void {
  instruments().anomalies.add(1, { provider, kind });
}

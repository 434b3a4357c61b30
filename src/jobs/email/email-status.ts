import { sql } from 'kysely';
import { z } from 'zod';
import type { OwnerDb } from '../../db/database.ts';
import { countEmailStatus, countEmailStatusAnomaly, type EmailStatusOutcome } from '../../telemetry/email-status-metrics.ts';
import { defineJob } from '../define-job.ts';
import { targetNamed } from '../job-target.ts';
import { FINAL_RANK, isFinal, isKnownEvent, sqlRankOf } from './delivery-status.ts';

/**
 * The payload of `email.status`: one delivery event of one message, as a provider's webhook
 * reported it. The owner's `/email/sendInMailWebhook` and the worker's own webhook routes enqueue it.
 */
export const emailStatusPayload = z
  .object({
    /** Which owner database holds the message; the owner tags staging mail `staging`. */
    target: z.enum(['production', 'staging']).default('production'),
    /**
     * The provider's message id exactly as `email.send` recorded it (`<…@domain>`, angle brackets
     * included); only surrounding whitespace is dropped.
     */
    messageId: z.string().trim().min(1, 'expected a non-empty message id').max(998),
    /** The provider's event string, stored verbatim in `email.status` (lower-cased). */
    event: z.string().trim().toLowerCase().min(1, 'expected a non-empty event').max(64),
    /** Whose webhook reported it, for metrics. */
    provider: z.enum(['brevo', 'mailgun']).optional(),
    /** When the provider saw the event; logged only. */
    occurredAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

/** What the owner (or a webhook route) enqueues. */
export type EmailStatusPayloadInput = z.input<typeof emailStatusPayload>;
export type EmailStatusPayload = z.output<typeof emailStatusPayload>;

/** What happened to the event: a new row, a higher status, or nothing (older than, or after, a final state). */
export type EmailStatusApplied = EmailStatusOutcome;

export interface EmailStatusResult {
  readonly target: 'production' | 'staging';
  readonly messageId: string;
  readonly event: string;
  readonly applied: EmailStatusApplied;
}

/**
 * Inserts the row or raises its status, in one statement: the conflict branch updates only when the
 * new event outranks the stored status and the stored one is not final, both ranked by the database
 * under the row's lock, so concurrent events for one message cannot undo each other.
 */
export async function applyDeliveryEvent(db: OwnerDb, messageId: string, event: string): Promise<EmailStatusApplied> {
  const stored = sql.ref('email.status');
  const incoming = sql.ref('excluded.status');
  const written = await db
    .insertInto('email')
    .values({ messageId, status: event, tradeId: null })
    .onConflict((conflict) =>
      conflict
        .column('messageId')
        .doUpdateSet({ status: (eb) => eb.ref('excluded.status'), dateModified: sql<Date>`CURRENT_TIMESTAMP` })
        .where(sql<boolean>`${sqlRankOf(incoming)} > ${sqlRankOf(stored)} AND ${sqlRankOf(stored)} < ${sql.lit(FINAL_RANK)}`),
    )
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .executeTakeFirst();
  if (written) return written.inserted ? 'inserted' : 'updated';
  // Nothing written: say why, from the status that stood in the way (read after, for the result only).
  const current = await db.selectFrom('email').select('status').where('messageId', '=', messageId).executeTakeFirst();
  return current && isFinal(current.status) ? 'ignored_final' : 'ignored_older';
}

export const emailStatus = defineJob({
  name: 'email.status',
  description: 'Apply a provider delivery event to "email".status by message id; status only moves forward, final states stay',
  payload: emailStatusPayload,
  // 2 at a time per process, as Oban's emails queue (§6.7); in Oban the 2 were shared with
  // EmailWorker, here each job has its own queue, so webhook bursts never hold up a send.
  // retryLimit 2: 3 attempts, as Oban's max_attempts and the owner's insert (§4, §6.7).
  queue: { policy: 'standard', retryLimit: 2, retryDelaySeconds: 10, expireInSeconds: 60, localConcurrency: 2 },
  async run(payload, ctx): Promise<EmailStatusResult> {
    const target = targetNamed(ctx, payload.target);
    const provider = payload.provider ?? 'unknown';
    const applied = await applyDeliveryEvent(target.db, payload.messageId, payload.event);
    countEmailStatus(provider, applied);
    if (!isKnownEvent(payload.event)) {
      countEmailStatusAnomaly(provider, 'unknown_event');
      ctx.log.warn({ event: payload.event, provider, applied }, 'delivery event not in the rank table; stored only where no status was');
    }
    if (applied === 'inserted') {
      // As the owner expects (jobs-reference §4): the row is created, with no trade.
      countEmailStatusAnomaly(provider, 'unknown_message');
      ctx.log.warn({ messageId: payload.messageId, event: payload.event, provider }, 'delivery event for a message id not in "email"; row created with tradeId NULL');
    }
    if (payload.occurredAt !== undefined) ctx.log.debug({ occurredAt: payload.occurredAt, applied }, 'delivery event time');
    return { target: payload.target, messageId: payload.messageId, event: payload.event, applied };
  },
});

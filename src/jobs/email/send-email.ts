import type { Target } from '../../db/targets.ts';
import { targetNamed } from '../job-target.ts';
import { defineJob, type JobContext } from '../define-job.ts';
import { assertRedirectPossible, resolveAddressing } from './addressing.ts';
import { checkLinkOrigins } from '../check-links.ts';
import { composeEmail } from './compose-email.ts';
import { emailPayload, linkFields, type EmailPayload, type EmailType } from './email-payload.ts';
import { messageIdFor, type OutgoingEmail, type SentEmail } from './outgoing-email.ts';
import { recordSentEmail } from './record-email.ts';
import { countEmail } from '../../telemetry/domain-metrics.ts';
import { countNotificationSkipped } from '../../telemetry/discord-metrics.ts';
import { loadNotificationTarget, tradeEmailDecision } from '../notification-settings.ts';

export interface SentEmailResult {
  readonly type: EmailType;
  readonly provider: string;
  readonly messageId: string;
  /** True when a non-production target sent it to EMAIL_REDIRECT_ADDRESS instead of the user. */
  readonly redirected: boolean;
}

/** A trade email the recipient turned off (§5.2): nothing sent, nothing recorded, not retried. */
export interface SkippedEmailResult {
  readonly type: EmailType;
  readonly skipped: 'email_disabled';
}

export type SendEmailResult = SentEmailResult | SkippedEmailResult;

/** The trade emails, which a user may turn off (`userSettings.notifications.tradeActionEmail`). */
const tradeEmailTypes: ReadonlySet<EmailType> = new Set(['trade_request', 'trade_declined', 'trade_submit']);

/** Whether the recipient turned trade emails off, read when the job runs (they may have changed it since the owner enqueued it). */
async function tradeEmailsOff(payload: EmailPayload, target: Target): Promise<boolean> {
  if (!tradeEmailTypes.has(payload.type) || !('recipientUserId' in payload)) return false;
  const recipient = await loadNotificationTarget(target.db, payload.recipientUserId);
  // An unknown recipient is composeEmail's to report (USER_NOT_FOUND), not a setting.
  return recipient !== undefined && !tradeEmailDecision(recipient.settings).send;
}

/** What the side-effect record keeps once the provider accepted, so a retry never sends again. */
interface SentState {
  readonly provider: string;
  readonly messageId: string;
  readonly tradeId: string | null;
  readonly redirected: boolean;
}

/** Sends through the configured provider and counts the attempt by type, provider and outcome. */
async function sendCounted(type: EmailType, ctx: JobContext, message: OutgoingEmail): Promise<SentEmail> {
  const provider = ctx.config.email.provider;
  try {
    const sent = await ctx.clients.mailer.send(message, ctx.signal);
    countEmail(type, provider, 'sent');
    return sent;
  } catch (error) {
    countEmail(type, provider, 'failed');
    throw error;
  }
}

/** Loads, renders, addresses and sends with the job's idempotency key and stable Message-ID. */
async function composeAndSend(payload: EmailPayload, target: Target, ctx: JobContext, idempotencyKey: string): Promise<SentState> {
  const composed = await composeEmail(target.db, target.name, payload);
  const addressing = resolveAddressing(ctx.config.email, target.isProduction, composed.recipient);
  const sent = await sendCounted(payload.type, ctx, {
    to: addressing.to,
    // Subjects carry team names; a line break there must not reach a provider's header.
    subject: `${composed.rendered.subject}${addressing.subjectSuffix}`.replace(/[\r\n]+/g, ' '),
    html: composed.rendered.html,
    text: composed.rendered.text,
    headers: addressing.headers,
    tags: [payload.type],
    idempotencyKey,
    messageId: messageIdFor(idempotencyKey, ctx.config.email.from.address),
  });
  return { provider: sent.provider, messageId: sent.messageId, tradeId: composed.tradeId, redirected: addressing.redirected };
}

export const sendEmail = defineJob({
  name: 'email.send',
  description: 'Render one email (password reset, registration, test, trade request/declined/submit), send it, record it in "email"',
  payload: emailPayload,
  // 2 at a time per process, as Oban's emails queue (§6.7). Deliberately stricter on attempts: the
  // owner inserts EmailWorker rows with max_attempts 20 (§6.7), which with Oban's backoff stretches
  // over days; ours gives up after 6 attempts (about 8 minutes of backoff) because a reset or
  // registration link, or a trade email, days late does more harm than good, and the failure is
  // kept 30 days in the dead-letter queue to redrive by hand.
  queue: { policy: 'standard', retryLimit: 5, retryDelaySeconds: 15, expireInSeconds: 120, localConcurrency: 2 },
  async run(payload, ctx): Promise<SendEmailResult> {
    const emailConfig = ctx.config.email;
    const target = targetNamed(ctx, payload.target);
    // Each deployment's links are on its own web app (FRONTEND_URL, STAGING_FRONTEND_URL).
    checkLinkOrigins(payload, linkFields, target.frontendOrigin);
    assertRedirectPossible(emailConfig, target.isProduction);

    // Sent at most once per job: an earlier attempt that got the provider's answer recorded it, and
    // then only the recording in "email" is left. Nothing is reloaded, so a user or trade changed
    // since cannot make the retry fail or differ.
    // The setting is decided inside the once-only effect, so a retry after a send never un-sends
    // and one after a skip reports the same skip.
    const { value: sent, replayed } = await ctx.sideEffects.once<SentState | { readonly skipped: 'email_disabled' }>('email', async (key) =>
      (await tradeEmailsOff(payload, target)) ? { skipped: 'email_disabled' } : composeAndSend(payload, target, ctx, key),
    );
    if ('skipped' in sent) {
      countNotificationSkipped('email', sent.skipped);
      ctx.log.info({ reason: sent.skipped }, 'trade email not sent: the recipient turned trade emails off');
      return { type: payload.type, skipped: sent.skipped };
    }
    if (replayed) ctx.log.info({ messageId: sent.messageId }, 'email already sent by an earlier attempt; not sending again');

    await recordSentEmail(target.db, sent.messageId, sent.tradeId);
    return { type: payload.type, provider: sent.provider, messageId: sent.messageId, redirected: sent.redirected };
  },
});

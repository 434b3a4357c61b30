import { z } from 'zod';

/**
 * The payload of `email.send`, a contract with the owner: it passes ids (and links only it can
 * build, such as a reset link carrying a token); the worker reads names, addresses and trade
 * details from the target database itself, so a queued job never carries stale copies of them.
 * Links are checked against FRONTEND_URL's origin in `run`, since that is configuration.
 */

const uuid = z.uuid();
const link = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** Fields every email type accepts. */
const common = {
  /** Which owner database to read from and record into; non-production targets get redirected mail. */
  target: z.enum(['production', 'staging']).default('production'),
};

const passwordReset = z
  .object({ ...common, type: z.literal('password_reset'), userId: uuid, resetUrl: link })
  .strict();
const registration = z
  .object({ ...common, type: z.literal('registration'), userId: uuid, registrationUrl: link })
  .strict();
const test = z.object({ ...common, type: z.literal('test'), userId: uuid }).strict();
const tradeRequest = z
  .object({
    ...common,
    type: z.literal('trade_request'),
    tradeId: uuid,
    recipientUserId: uuid,
    acceptUrl: link,
    declineUrl: link,
    /** The trade's page, for a closer look before deciding. */
    tradeUrl: link.optional(),
  })
  .strict();
const tradeDeclined = z
  .object({
    ...common,
    type: z.literal('trade_declined'),
    tradeId: uuid,
    recipientUserId: uuid,
    tradeUrl: link.optional(),
    /** Whether the recipient created the trade (the owner's `is_creator`); optional, for the wording. */
    isCreator: z.boolean().optional(),
  })
  .strict();
const tradeSubmit = z
  .object({
    ...common,
    type: z.literal('trade_submit'),
    tradeId: uuid,
    recipientUserId: uuid,
    tradeUrl: link.optional(),
    /** Where the creator submits the accepted trade (the owner's `submit_url`); optional. */
    submitUrl: link.optional(),
  })
  .strict();

export const emailPayload = z.discriminatedUnion('type', [passwordReset, registration, test, tradeRequest, tradeDeclined, tradeSubmit]);

/** What the owner enqueues. */
export type EmailPayloadInput = z.input<typeof emailPayload>;
/** What `run` receives, defaults applied. */
export type EmailPayload = z.output<typeof emailPayload>;
export type EmailType = EmailPayload['type'];

/** The payload fields that hold links, each checked against the frontend origin before anything is sent. */
export const linkFields = ['resetUrl', 'registrationUrl', 'acceptUrl', 'declineUrl', 'tradeUrl', 'submitUrl'] as const;
export type LinkField = (typeof linkFields)[number];

import { z } from 'zod';

/**
 * The payloads of the Discord jobs, contracts with the owner (jobs-reference §5.1, in the typed
 * client's camelCase): ids and the links only the owner can build; the worker reads the trade, the
 * users and their settings from the target itself at run time.
 */

const uuid = z.uuid();
const link = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** Which owner database to read, and which announcement channel: production unless said. */
const target = z.enum(['production', 'staging']).default('production');

export const tradeAnnouncementPayload = z.object({ target, tradeId: uuid }).strict();

const dmCommon = {
  target,
  tradeId: uuid,
  /** The user the DM goes to; their Discord id and DM setting are read at run time. */
  recipientUserId: uuid,
  /** The owner's settings page (`${V3_BASE_URL}/dashboard`), named in the DM's footer. */
  notificationSettingsUrl: link.optional(),
};

export const tradeDmPayload = z.discriminatedUnion('kind', [
  z.object({ ...dmCommon, kind: z.literal('request'), acceptUrl: link, declineUrl: link }).strict(),
  z.object({ ...dmCommon, kind: z.literal('submit'), submitUrl: link }).strict(),
  z
    .object({
      ...dmCommon,
      kind: z.literal('declined'),
      /** The trade's creator gets "your trade proposal was declined"; the others "a trade you were part of". */
      isCreator: z.boolean().default(false),
      /** The trade's page, behind a "View trade" button. */
      viewUrl: link.optional(),
    })
    .strict(),
]);

export type TradeDmPayload = z.output<typeof tradeDmPayload>;

/** The payload fields that hold links, each checked against FRONTEND_URL's origin before anything is sent. */
export const dmLinkFields = ['acceptUrl', 'declineUrl', 'submitUrl', 'viewUrl', 'notificationSettingsUrl'] as const;

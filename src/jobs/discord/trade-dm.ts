/**
 * `discord.trade-dm` (jobs-reference §5.1, §5.4): a direct message to one user about a trade: a
 * request to accept or decline, a reminder to submit, or a decline. The user's Discord id and DM
 * setting are read when the job runs (a user may change them after the owner enqueued it); a DM
 * that must not go out completes with the reason, counted, and is never retried.
 */
import { checkLinkOrigins } from '../check-links.ts';
import { defineJob } from '../define-job.ts';
import { targetNamed } from '../job-target.ts';
import { discordDmDecision, loadNotificationTarget } from '../notification-settings.ts';
import { countNotificationSkipped } from '../../telemetry/discord-metrics.ts';
import { discordNonce } from './discord-client.ts';
import { dmLinkFields, tradeDmPayload, type TradeDmPayload } from './discord-payloads.ts';
import { buildDeclinedDm, buildRequestDm, buildSubmitDm } from './embeds/trade-dms.ts';
import { loadTradeView } from './load-trade-view.ts';
import { postCounted } from './post-counted.ts';
import type { TradeView } from './trade-view.ts';

/** Why a DM was not sent: no usable Discord id, DMs turned off, or nothing to tell about. */
export type DmSkipReason = 'user_not_found' | 'no_discord_user_id' | 'invalid_discord_user_id' | 'dm_disabled' | 'trade_not_found';

type DmOutcome = { readonly sent: true; readonly channelId: string; readonly messageId: string } | { readonly sent: false; readonly reason: DmSkipReason };

export interface TradeDmResult {
  readonly target: 'production' | 'staging';
  readonly kind: TradeDmPayload['kind'];
  readonly outcome: 'sent' | 'already_sent' | 'skipped';
  readonly reason?: DmSkipReason;
  readonly channelId?: string;
  readonly messageId?: string;
}

const messageKind = { request: 'dm_request', submit: 'dm_submit', declined: 'dm_declined' } as const;

function dmBody(payload: TradeDmPayload, trade: TradeView) {
  const settingsUrl = payload.notificationSettingsUrl;
  switch (payload.kind) {
    case 'request':
      return buildRequestDm(trade, { acceptUrl: payload.acceptUrl, declineUrl: payload.declineUrl, settingsUrl });
    case 'submit':
      return buildSubmitDm(trade, { submitUrl: payload.submitUrl, settingsUrl });
    case 'declined':
      return buildDeclinedDm(trade, { isCreator: payload.isCreator, viewUrl: payload.viewUrl, settingsUrl });
  }
}

export const tradeDm = defineJob({
  name: 'discord.trade-dm',
  description: 'Send one user a Discord DM about a trade (request, submit or declined), if their settings allow',
  payload: tradeDmPayload,
  // One at a time per process, as Oban's discord queue (§6.7). retryLimit 2: 3 attempts, as Oban's
  // max_attempts and the owner's insert (§6.7).
  queue: { policy: 'standard', retryLimit: 2, retryDelaySeconds: 30, expireInSeconds: 120, localConcurrency: 1 },
  async run(payload, ctx): Promise<TradeDmResult> {
    const target = targetNamed(ctx, payload.target);
    checkLinkOrigins(payload, dmLinkFields, target.frontendOrigin);
    const kind = messageKind[payload.kind];
    // The decision is part of the once-only effect: a retry after a skip reports the same skip,
    // and one after the post never posts again, whatever the settings say by then.
    const { value: outcome, replayed } = await postCounted(kind, () =>
      ctx.sideEffects.once<DmOutcome>('discord.dm', async (key) => {
        const user = await loadNotificationTarget(target.db, payload.recipientUserId);
        if (user === undefined) return { sent: false, reason: 'user_not_found' };
        const decision = discordDmDecision(user);
        if (!decision.send) return { sent: false, reason: decision.reason };
        const trade = await loadTradeView(target.db, payload.tradeId);
        if (trade === undefined) return { sent: false, reason: 'trade_not_found' };
        const body = dmBody(payload, trade);
        const channelId = await ctx.clients.discord.openDm(decision.discordUserId, ctx.signal);
        const posted = await ctx.clients.discord.createMessage(channelId, body, { nonce: discordNonce(key), signal: ctx.signal });
        return { sent: true, channelId: posted.channelId, messageId: posted.id };
      }),
      (value) => !value.sent,
    );
    if (!outcome.sent) {
      countNotificationSkipped('discord_dm', outcome.reason);
      ctx.log.info({ reason: outcome.reason, recipientUserId: payload.recipientUserId }, 'DM not sent');
      return { target: payload.target, kind: payload.kind, outcome: 'skipped', reason: outcome.reason };
    }
    return { target: payload.target, kind: payload.kind, outcome: replayed ? 'already_sent' : 'sent', channelId: outcome.channelId, messageId: outcome.messageId };
  },
});

/**
 * `discord.trade-announcement` (jobs-reference §5.1, §5.3): a submitted trade, posted once to the
 * target's announcement channel. Posted at most once per job: the durable side-effect record, plus
 * Discord's own nonce (enforce_nonce) for the moment between the post and the record.
 */
import { defineJob } from '../define-job.ts';
import { targetNamed } from '../job-target.ts';
import { PermanentJobError } from '../outcomes.ts';
import { discordNonce } from './discord-client.ts';
import { tradeAnnouncementPayload } from './discord-payloads.ts';
import { buildTradeAnnouncement } from './embeds/announcement.ts';
import { loadTradeView } from './load-trade-view.ts';
import { postCounted } from './post-counted.ts';

export interface TradeAnnouncementResult {
  readonly target: 'production' | 'staging';
  readonly channelId: string;
  readonly messageId: string;
  /** True when an earlier attempt had posted it: nothing was posted again. */
  readonly alreadySent: boolean;
}

export const tradeAnnouncement = defineJob({
  name: 'discord.trade-announcement',
  description: "Post a submitted trade to the target's Discord announcement channel",
  payload: tradeAnnouncementPayload,
  // One at a time per process, as before (§5.1, §6.7): the REST client keeps Discord's buckets anyway.
  // retryLimit 2: 3 attempts, as Oban's max_attempts and the owner's insert (§6.7).
  queue: { policy: 'standard', retryLimit: 2, retryDelaySeconds: 30, expireInSeconds: 120, localConcurrency: 1 },
  async run(payload, ctx): Promise<TradeAnnouncementResult> {
    const target = targetNamed(ctx, payload.target);
    const channelId = ctx.config.discord.announcementChannels[payload.target];
    if (channelId === undefined) {
      throw new PermanentJobError(
        'DISCORD_CHANNEL_NOT_CONFIGURED',
        `DISCORD_CHANNEL_ID_${payload.target.toUpperCase()} is not set: there is no channel to announce ${payload.target}'s trades in`,
      );
    }
    const { value: posted, replayed } = await postCounted('announcement', () =>
      ctx.sideEffects.once('discord.announcement', async (key) => {
        const trade = await loadTradeView(target.db, payload.tradeId);
        if (trade === undefined) throw new PermanentJobError('TRADE_NOT_FOUND', `trade ${payload.tradeId} is not in the ${target.name} database`);
        return ctx.clients.discord.createMessage(channelId, buildTradeAnnouncement(trade), { nonce: discordNonce(key), signal: ctx.signal });
      }),
    );
    if (replayed) ctx.log.info({ messageId: posted.id }, 'announcement already posted by an earlier attempt; not posting again');
    return { target: payload.target, channelId: posted.channelId, messageId: posted.id, alreadySent: replayed };
  },
});

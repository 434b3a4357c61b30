import type { StandIn } from '../../stand-in.ts';
import { startFakeDiscord } from './fake-discord.ts';

/** The bot token the worker sends to the stand-in; only the stand-in accepts it. */
export const STAND_IN_DISCORD_TOKEN = 'dev-discord-bot-token';
/** The two announcement channels the stand-in knows, as the worker's config names them by target. */
export const STAND_IN_CHANNEL_PRODUCTION = '1400000000000000001';
export const STAND_IN_CHANNEL_STAGING = '1400000000000000002';
/** Where the stand-in appends messages when DEV_DISCORD_DIR is not set (the worker's default too). */
export const STAND_IN_DEFAULT_DIR = '.data/discord';

/**
 * Discord for start-dev: the fake Discord (the one the tests use) with a dev bot token and two known
 * announcement channels, #trades (production) and #trades-staging; any user id can be DMed. Every
 * message it accepts is appended to DEV_DISCORD_DIR/messages.jsonl, which the worker's /discord page
 * shows. A real bot (DISCORD_BOT_TOKEN set) wins.
 */
export const discordStandIn: StandIn = {
  name: 'discord',
  realServiceReason: (env) => (env.DISCORD_BOT_TOKEN ? 'real Discord (DISCORD_BOT_TOKEN is set)' : undefined),
  async start(env) {
    const dir = env.DEV_DISCORD_DIR || STAND_IN_DEFAULT_DIR;
    const fake = await startFakeDiscord({ token: STAND_IN_DISCORD_TOKEN, dir });
    fake.addChannel(STAND_IN_CHANNEL_PRODUCTION, 'trades');
    fake.addChannel(STAND_IN_CHANNEL_STAGING, 'trades-staging');
    return {
      env: {
        DISCORD_BOT_TOKEN: STAND_IN_DISCORD_TOKEN,
        DISCORD_API_BASE_URL: fake.apiBaseUrl,
        DISCORD_CHANNEL_ID_PRODUCTION: STAND_IN_CHANNEL_PRODUCTION,
        DISCORD_CHANNEL_ID_STAGING: STAND_IN_CHANNEL_STAGING,
        DEV_DISCORD_DIR: dir,
      },
      summary: `stand-in ${fake.apiBaseUrl} (#trades ${STAND_IN_CHANNEL_PRODUCTION}, #trades-staging ${STAND_IN_CHANNEL_STAGING}), messages kept in ${dir}, shown at /discord`,
      close: () => fake.close(),
    };
  },
};

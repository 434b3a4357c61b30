import { createHash } from 'node:crypto';
import { REST, RESTEvents, type RateLimitData } from '@discordjs/rest';
import { Routes, type APIChannel, type APIMessage, type RESTPostAPIChannelMessageJSONBody } from 'discord-api-types/v10';
import type { Config } from '../../config.ts';
import { recordDiscordRateLimitWait } from '../../telemetry/discord-metrics.ts';
import { PermanentJobError } from '../outcomes.ts';
import { discordError, type DiscordRequestDescription } from './discord-errors.ts';

/** Discord's REST API as the jobs need it; one per process, so rate-limit buckets are shared. */
export interface DiscordClient {
  /** Opens (or reuses: Discord answers the same channel) the DM channel with a user; resolves its channel id. */
  openDm(recipientId: string, signal?: AbortSignal): Promise<string>;
  /**
   * Posts a message with `nonce` and `enforce_nonce: true`: Discord answers a repeat of the nonce in
   * the same channel within a few minutes with the first message instead of posting again.
   */
  createMessage(
    channelId: string,
    body: RESTPostAPIChannelMessageJSONBody,
    options: { nonce: string; signal?: AbortSignal },
  ): Promise<{ id: string; channelId: string }>;
  /** Stops the library's sweep timers; requests in flight finish on their own. */
  close(): void;
}

/** Tuning; production uses the defaults, tests shrink them. */
export interface DiscordClientOptions {
  /** The library's retries of 5xx answers, timeouts and connection resets after the first attempt. Default: 3. */
  readonly retries?: number;
  /**
   * The longest rate-limit wait the client sits out; a longer one (a global lock, a long
   * `retry_after`) fails the request with retryable DISCORD_RATE_LIMITED, so the queue retries the
   * job later instead of holding a worker slot. Default: 60000.
   */
  readonly maxRateLimitWaitMs?: number;
}

export const discordClientDefaults: Required<DiscordClientOptions> = { retries: 3, maxRateLimitWaitMs: 60_000 };

/** Discord's limit on a nonce's length. */
export const DISCORD_NONCE_MAX_LENGTH = 25;

/**
 * A deterministic nonce for a message from a seed that names it (e.g. job id + kind): base36 of a
 * SHA-256, 25 characters, so a retry of the same job sends the same nonce.
 */
export function discordNonce(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex').slice(0, 32);
  return BigInt(`0x${hex}`).toString(36).padStart(DISCORD_NONCE_MAX_LENGTH, '0').slice(-DISCORD_NONCE_MAX_LENGTH);
}

/**
 * Builds the client over @discordjs/rest (API v10), which keeps Discord's per-route buckets, the
 * global limit and `retry_after`. Every rate-limit wait is recorded in
 * `worker.discord.rate_limit.wait`: the pre-emptive ones (bucket empty, global lock) from the
 * library's `rateLimited` event, and the sleeps after a 429 with a sub-limit (which the library
 * does not emit as an event) from its `rejectOnRateLimit` hook, which also refuses waits longer
 * than `maxRateLimitWaitMs`.
 */
export function createDiscordClient(settings: Config['discord'], options: DiscordClientOptions = {}): DiscordClient {
  const { retries, maxRateLimitWaitMs } = { ...discordClientDefaults, ...options };
  const token = settings.botToken;
  const tooLong = (data: RateLimitData) => data.retryAfter > maxRateLimitWaitMs;
  const rest = new REST({
    api: settings.apiBaseUrl,
    version: '10',
    timeout: settings.timeoutMs,
    retries,
    rejectOnRateLimit: (data) => {
      // Called before every wait; after a 429 with a sub-limit the library then sleeps
      // `sublimitTimeout` without emitting `rateLimited`, so that wait is recorded here.
      if (tooLong(data)) return true;
      if (data.sublimitTimeout > 0) recordDiscordRateLimitWait(data.sublimitTimeout / 1000, data.global);
      return false;
    },
  });
  rest.on(RESTEvents.RateLimited, (data) => {
    if (!tooLong(data)) recordDiscordRateLimitWait(data.timeToReset / 1000, data.global);
  });

  const send = async <T>(request: DiscordRequestDescription, body: unknown, signal: AbortSignal | undefined): Promise<T> => {
    if (token === undefined || token === '') {
      throw new PermanentJobError('DISCORD_NOT_CONFIGURED', `DISCORD_BOT_TOKEN is not set, so ${request.method} ${request.route} cannot be sent`);
    }
    // The library forgets the token after a 401; set it again so one bad answer does not break
    // every later request with a confusing "token not set".
    rest.setToken(token);
    try {
      return (await rest.post(request.route as `/${string}`, { body, ...(signal ? { signal } : {}) })) as T;
    } catch (error) {
      throw discordError(error, request, signal);
    }
  };
  const describe = (route: string): DiscordRequestDescription => ({ method: 'POST', route, timeoutMs: settings.timeoutMs, retries });

  return {
    openDm: async (recipientId, signal) => {
      const channel = await send<APIChannel>(describe(Routes.userChannels()), { recipient_id: recipientId }, signal);
      return channel.id;
    },
    createMessage: async (channelId, body, { nonce, signal }) => {
      const message = await send<APIMessage>(describe(Routes.channelMessages(channelId)), { ...body, nonce, enforce_nonce: true }, signal);
      return { id: message.id, channelId: message.channel_id };
    },
    close: () => {
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    },
  };
}

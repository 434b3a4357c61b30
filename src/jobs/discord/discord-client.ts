import { createHash } from 'node:crypto';
import { REST, RESTEvents, type RateLimitData } from '@discordjs/rest';
import {
  Routes,
  type APIApplicationCommand,
  type APIChannel,
  type APIGatewayBotInfo,
  type APIInteractionResponse,
  type APIInteractionResponseCallbackData,
  type APIMessage,
  type RESTPostAPIApplicationGuildCommandsJSONBody,
  type RESTPostAPIChannelMessageJSONBody,
} from 'discord-api-types/v10';
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
  /** Answers an interaction (POST /interactions/{id}/{token}/callback; the interaction's token is the auth). */
  createInteractionResponse(interactionId: string, interactionToken: string, response: APIInteractionResponse, signal?: AbortSignal): Promise<void>;
  /** Replaces a deferred interaction's answer (PATCH /webhooks/{application}/{token}/messages/@original). */
  editOriginalResponse(applicationId: string, interactionToken: string, data: APIInteractionResponseCallbackData, signal?: AbortSignal): Promise<void>;
  /** The guild's commands (GET /applications/{application}/guilds/{guild}/commands). */
  getGuildCommands(applicationId: string, guildId: string): Promise<APIApplicationCommand[]>;
  /** Replaces the guild's commands with these, all at once (PUT, Discord's bulk overwrite). */
  putGuildCommands(applicationId: string, guildId: string, commands: readonly RESTPostAPIApplicationGuildCommandsJSONBody[]): Promise<APIApplicationCommand[]>;
  /** Where to open the Gateway and how many sessions are left (GET /gateway/bot). */
  getGatewayBot(): Promise<APIGatewayBotInfo>;
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
export function createDiscordClient(settings: Pick<Config['discord'], 'botToken' | 'apiBaseUrl' | 'timeoutMs'>, options: DiscordClientOptions = {}): DiscordClient {
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

  /**
   * One request. `auth: false` for the interaction routes, which the interaction's own token
   * authorises (they work without the bot token, and must not carry it).
   */
  const send = async <T>(request: DiscordRequestDescription, body: unknown, signal: AbortSignal | undefined, auth = true): Promise<T> => {
    if (auth && (token === undefined || token === '')) {
      throw new PermanentJobError('DISCORD_NOT_CONFIGURED', `DISCORD_BOT_TOKEN is not set, so ${request.method} ${request.route} cannot be sent`);
    }
    // The library forgets the token after a 401; set it again so one bad answer does not break
    // every later request with a confusing "token not set".
    if (token) rest.setToken(token);
    const options = { ...(body === undefined ? {} : { body }), ...(signal ? { signal } : {}), auth };
    const route = request.route as `/${string}`;
    try {
      switch (request.method) {
        case 'GET':
          return (await rest.get(route, options)) as T;
        case 'PUT':
          return (await rest.put(route, options)) as T;
        case 'PATCH':
          return (await rest.patch(route, options)) as T;
        case 'POST':
          return (await rest.post(route, options)) as T;
      }
    } catch (error) {
      throw discordError(error, request, signal);
    }
  };
  const describe = (route: string, method: DiscordRequestDescription['method'] = 'POST'): DiscordRequestDescription => ({
    method,
    route,
    timeoutMs: settings.timeoutMs,
    retries,
  });
  // Interaction routes carry the interaction's token in the path: never in a message or a log.
  const redacted = (route: string, interactionToken: string) => route.replace(interactionToken, ':token');

  return {
    openDm: async (recipientId, signal) => {
      const channel = await send<APIChannel>(describe(Routes.userChannels()), { recipient_id: recipientId }, signal);
      return channel.id;
    },
    createMessage: async (channelId, body, { nonce, signal }) => {
      const message = await send<APIMessage>(describe(Routes.channelMessages(channelId)), { ...body, nonce, enforce_nonce: true }, signal);
      return { id: message.id, channelId: message.channel_id };
    },
    createInteractionResponse: async (interactionId, interactionToken, response, signal) => {
      const route = Routes.interactionCallback(interactionId, interactionToken);
      await send<unknown>({ ...describe(route), route, display: redacted(route, interactionToken) }, response, signal, false);
    },
    editOriginalResponse: async (applicationId, interactionToken, data, signal) => {
      const route = Routes.webhookMessage(applicationId, interactionToken, '@original');
      await send<unknown>({ ...describe(route, 'PATCH'), display: redacted(route, interactionToken) }, data, signal, false);
    },
    getGuildCommands: (applicationId, guildId) => send<APIApplicationCommand[]>(describe(Routes.applicationGuildCommands(applicationId, guildId), 'GET'), undefined, undefined),
    putGuildCommands: (applicationId, guildId, commands) =>
      send<APIApplicationCommand[]>(describe(Routes.applicationGuildCommands(applicationId, guildId), 'PUT'), commands, undefined),
    getGatewayBot: () => send<APIGatewayBotInfo>(describe(Routes.gatewayBot(), 'GET'), undefined, undefined),
    close: () => {
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    },
  };
}

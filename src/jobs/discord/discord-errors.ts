import { DiscordAPIError, HTTPError, RateLimitError } from '@discordjs/rest';
import { RESTJSONErrorCodes } from 'discord-api-types/v10';
import { PermanentJobError, RetryableJobError } from '../outcomes.ts';

/**
 * Maps what @discordjs/rest throws to a job outcome. Discord's refusals are told apart by the JSON
 * error `code` of the body (and the HTTP status where Discord sends code 0), never by message text.
 * Messages name the request (`POST /channels/123/messages`), never a header: the token cannot leak.
 */

/** Which request failed, for messages: method and route path only (no host, no header). */
export interface DiscordRequestDescription {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** The route as sent, e.g. `/users/@me/channels`. */
  readonly route: string;
  /** The route as messages show it, when it carries a secret (an interaction token); default `route`. */
  readonly display?: string;
  /** The library's per-request timeout, for the timeout message. */
  readonly timeoutMs: number;
  /** The library's retries of 5xx and timeouts, for the messages of those. */
  readonly retries: number;
}

/** The codes these errors carry; jobs and tests branch on them. */
export type DiscordErrorCode =
  | 'DISCORD_NOT_CONFIGURED'
  | 'DISCORD_DMS_CLOSED'
  | 'DISCORD_UNKNOWN_USER'
  | 'DISCORD_UNKNOWN_CHANNEL'
  | 'DISCORD_MISSING_ACCESS'
  | 'DISCORD_UNAUTHORIZED'
  | 'DISCORD_REJECTED'
  | 'DISCORD_UNAVAILABLE'
  | 'DISCORD_TIMEOUT'
  | 'DISCORD_UNREACHABLE'
  | 'DISCORD_ABORTED'
  | 'DISCORD_RATE_LIMITED';

/** Discord's JSON codes that can never succeed on a retry, with the job code each becomes. */
const permanentByJsonCode: ReadonlyMap<number, { code: DiscordErrorCode; what: string }> = new Map([
  [RESTJSONErrorCodes.CannotSendMessagesToThisUser, { code: 'DISCORD_DMS_CLOSED', what: 'the user does not accept direct messages' }],
  [
    RESTJSONErrorCodes.CannotSendMessagesToThisUserDueToHavingNoMutualGuilds,
    { code: 'DISCORD_DMS_CLOSED', what: 'the user shares no server with the bot, so it cannot message them' },
  ],
  [RESTJSONErrorCodes.UnknownUser, { code: 'DISCORD_UNKNOWN_USER', what: 'no Discord user has that id' }],
  [RESTJSONErrorCodes.UnknownChannel, { code: 'DISCORD_UNKNOWN_CHANNEL', what: 'no channel has that id (or the bot cannot see it)' }],
  [RESTJSONErrorCodes.MissingAccess, { code: 'DISCORD_MISSING_ACCESS', what: 'the bot has no access to that channel' }],
  [RESTJSONErrorCodes.MissingPermissions, { code: 'DISCORD_MISSING_ACCESS', what: 'the bot lacks a permission it needs there' }],
]);

function requestOf(request: DiscordRequestDescription): string {
  return `${request.method} ${request.display ?? request.route}`;
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

function retriesOf(count: number): string {
  return `${count} ${count === 1 ? 'retry' : 'retries'}`;
}

/**
 * The job outcome for anything a Discord request threw. `signal` is the caller's: when it fired,
 * the request was aborted on purpose (shutdown, job expiry), which is not Discord's fault.
 */
export function discordError(error: unknown, request: DiscordRequestDescription, signal: AbortSignal | undefined): Error {
  if (error instanceof PermanentJobError || error instanceof RetryableJobError) return error;
  const at = requestOf(request);
  if (error instanceof DiscordAPIError) {
    const jsonCode = typeof error.code === 'number' ? error.code : undefined;
    const says = `Discord says: ${error.message}`;
    const known = jsonCode !== undefined ? permanentByJsonCode.get(jsonCode) : undefined;
    if (known) return new PermanentJobError(known.code, `Discord refused ${at}: ${known.what} (${error.status}, code ${jsonCode}; ${says})`, { cause: error });
    if (error.status === 401) {
      return new PermanentJobError('DISCORD_UNAUTHORIZED', `Discord refused ${at} with 401: DISCORD_BOT_TOKEN is not a valid bot token (${says})`, {
        cause: error,
      });
    }
    if (error.status === 429) return new RetryableJobError('DISCORD_RATE_LIMITED', `Discord rate-limited ${at} (${says})`, { cause: error });
    if (error.status >= 500) return new RetryableJobError('DISCORD_UNAVAILABLE', `Discord answered ${error.status} for ${at} (${says})`, { cause: error });
    return new PermanentJobError('DISCORD_REJECTED', `Discord refused ${at} (${error.status}, code ${String(error.code)}; ${says})`, { cause: error });
  }
  if (error instanceof HTTPError) {
    return new RetryableJobError('DISCORD_UNAVAILABLE', `Discord answered ${error.status} for ${at} after ${retriesOf(request.retries)}`, { cause: error });
  }
  if (error instanceof RateLimitError) {
    const wait = (error.retryAfter / 1000).toFixed(1);
    const scope = error.global ? 'the global rate limit' : `the rate limit of ${error.route}`;
    return new RetryableJobError('DISCORD_RATE_LIMITED', `Discord asked to wait ${wait} s (${scope}) before ${at}, longer than the client waits`, {
      cause: error,
    });
  }
  if (signal?.aborted) return new RetryableJobError('DISCORD_ABORTED', `request ${at} to Discord was aborted (shutdown or job expiry)`, { cause: error });
  if (isAbortError(error)) {
    return new RetryableJobError(
      'DISCORD_TIMEOUT',
      `Discord did not answer ${at} within ${request.timeoutMs} ms (${retriesOf(request.retries)} included)`,
      { cause: error },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  const withCode = code !== undefined && !reason.includes(code) ? `${reason} (${code})` : reason;
  return new RetryableJobError('DISCORD_UNREACHABLE', `could not reach Discord for ${at}: ${withCode}`, { cause: error });
}

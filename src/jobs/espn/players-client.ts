/**
 * ESPN's player pool (`?view=kona_player_info`), page by page (jobs-reference §1.2, with the
 * `espn/client.ex` defects of §1.7 fixed): paging ends on the count header or a short/empty page,
 * whichever comes first, so it can neither loop nor stop silently at 100; one retry layer only.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { PermanentJobError, RetryableJobError } from '../outcomes.ts';
import { createEspnAgent, espnGet, leagueUrl } from './espn-client.ts';
import { errorForStatus, type RequestDescription } from './espn-errors.ts';
import { espnPlayerPageSchema, toEspnPlayer, type EspnPlayer } from './espn-player.ts';
import { describeIssues } from './espn-schemas.ts';

/** ESPN's page size for the pool, as the previous worker and ESPN's own site use it. */
export const PLAYER_PAGE_SIZE = 100;

/** Something odd about the paging that does not stop the fetch, for the job to log and record. */
export interface PlayerPagingWarning {
  readonly code: 'ESPN_COUNT_HEADER_MISSING' | 'ESPN_EMPTY_PAGE_BEFORE_TOTAL' | 'ESPN_SHORT_PAGE_BEFORE_TOTAL';
  readonly message: string;
  readonly offset: number;
}

export interface PlayersClientOptions {
  /** `ESPN_BASE_URL`: ESPN's own host picks the season's host (§1.2); any other host (the fake) is kept. */
  readonly baseUrl: string;
  readonly leagueId: number;
  readonly season: number;
  /** Private-league cookies; both or neither. */
  readonly s2?: string | undefined;
  readonly swid?: string | undefined;
  /** Per-request timeout (headers and body). */
  readonly timeoutMs: number;
  /** Wait between two pages, to be polite to ESPN. Default: 1000. */
  readonly pauseBetweenPagesMs?: number;
  /** Waits before each retry of a page answered 429/5xx without `Retry-After`; their count is the retries. Default: 10 s, 30 s, 90 s. */
  readonly retryDelaysMs?: readonly number[];
  /** Longest `Retry-After` honoured; a longer one is cut to this. Default: 300000. */
  readonly maxRetryAfterMs?: number;
  /** Hears paging oddities (missing count header, empty or short page before the total). Default: ignore. */
  readonly onWarning?: (warning: PlayerPagingWarning) => void;
  /** Sends through this dispatcher instead of a private Agent closed at the end. Default: a new Agent. */
  readonly dispatcher?: Dispatcher;
}

/** The defaults of the optional PlayersClientOptions fields, in one place. */
export const playersClientDefaults = {
  pauseBetweenPagesMs: 1000,
  retryDelaysMs: [10_000, 30_000, 90_000] as readonly number[],
  maxRetryAfterMs: 300_000,
} as const;

/** One page of the pool as it arrived. */
export interface PlayerPage {
  readonly players: EspnPlayer[];
  /** The `offset` asked for in X-Fantasy-Filter. */
  readonly offset: number;
  /** The latest `x-fantasy-filter-player-count` seen so far; undefined while ESPN sent none. */
  readonly total: number | undefined;
}

/** The request header ESPN pages the pool by: 100 at `offset`, most owned first. */
export function playerFilterHeader(offset: number): string {
  return JSON.stringify({ players: { limit: PLAYER_PAGE_SIZE, offset, sortPercOwned: { sortAsc: false, sortPriority: 1 } } });
}

/**
 * Yields the pool one page at a time, so the caller processes pages as they arrive and nobody holds
 * the pool whole. Throws job outcomes: RetryableJobError once 429/5xx outlast the retries (naming the
 * page), PermanentJobError for 401/403/404 and for a page that fails the schema. The signal stops
 * both the request and any wait at once.
 */
export async function* fetchPlayerPages(options: PlayersClientOptions, signal?: AbortSignal): AsyncGenerator<PlayerPage, void, undefined> {
  const settings: Settings = {
    pauseBetweenPagesMs: options.pauseBetweenPagesMs ?? playersClientDefaults.pauseBetweenPagesMs,
    retryDelaysMs: options.retryDelaysMs ?? playersClientDefaults.retryDelaysMs,
    maxRetryAfterMs: options.maxRetryAfterMs ?? playersClientDefaults.maxRetryAfterMs,
  };
  // No retry interceptor on this dispatcher: fetchPage is the one retry layer (§1.7).
  const dispatcher = options.dispatcher ?? createEspnAgent(options.timeoutMs);
  const url = leagueUrl(options.baseUrl, options.season, options.leagueId);
  url.searchParams.append('view', 'kona_player_info');
  let total: number | undefined;
  let warnedMissing = false;
  try {
    for (let offset = 0, page = 1; ; offset += PLAYER_PAGE_SIZE, page += 1) {
      const request = describe(options, url, offset, page);
      if (offset > 0 && settings.pauseBetweenPagesMs > 0) await wait(settings.pauseBetweenPagesMs, signal, request);
      const { bodyText, count } = await fetchPage(dispatcher, options, settings, url, offset, request, signal);
      if (count !== undefined) total = count;
      else if (!warnedMissing) {
        warnedMissing = true;
        options.onWarning?.({
          code: 'ESPN_COUNT_HEADER_MISSING',
          message: `ESPN sent no usable x-fantasy-filter-player-count at ${request.at}; paging on until a short page`,
          offset,
        });
      }
      const players = parsePage(bodyText, request);
      const fetched = offset + players.length;
      if (players.length === 0) {
        if (total !== undefined && offset < total) {
          options.onWarning?.({ code: 'ESPN_EMPTY_PAGE_BEFORE_TOTAL', message: `ESPN sent an empty page at ${request.at}, before its total of ${total}; stopping there`, offset });
        }
        return;
      }
      yield { players, offset, total };
      if (players.length < PLAYER_PAGE_SIZE) {
        if (total !== undefined && fetched < total) {
          options.onWarning?.({
            code: 'ESPN_SHORT_PAGE_BEFORE_TOTAL',
            message: `ESPN sent ${players.length} players at ${request.at}, ending at ${fetched} before its total of ${total}; stopping there`,
            offset,
          });
        }
        return;
      }
      if (total !== undefined && offset + PLAYER_PAGE_SIZE >= total) return;
    }
  } finally {
    if (dispatcher !== options.dispatcher) await dispatcher.close();
  }
}

interface Settings {
  readonly pauseBetweenPagesMs: number;
  readonly retryDelaysMs: readonly number[];
  readonly maxRetryAfterMs: number;
}

/** One page, retried on 429/5xx after `Retry-After` or the next backoff delay; the body and the count header. */
async function fetchPage(
  dispatcher: Dispatcher,
  options: PlayersClientOptions,
  settings: Settings,
  url: URL,
  offset: number,
  request: RequestDescription,
  signal: AbortSignal | undefined,
): Promise<{ bodyText: string; count: number | undefined }> {
  const delays = settings.retryDelaysMs;
  for (let attempt = 0; ; attempt += 1) {
    if (signal?.aborted) throw aborted(request, signal.reason);
    const response = await espnGet(dispatcher, { url, config: { s2: options.s2, swid: options.swid, timeoutMs: options.timeoutMs }, request, signal, headers: { 'x-fantasy-filter': playerFilterHeader(offset) } });
    if (response.status >= 200 && response.status < 300) {
      return { bodyText: response.bodyText, count: parseCount(response.headers['x-fantasy-filter-player-count']) };
    }
    const retryable = response.status === 429 || response.status >= 500;
    const delay = delays[attempt];
    if (!retryable || delay === undefined) {
      throw errorForStatus(response.status, response.bodyText, { ...request, retries: attempt });
    }
    const retryAfter = retryAfterMs(response.headers['retry-after']);
    await wait(retryAfter === undefined ? delay : Math.min(retryAfter, settings.maxRetryAfterMs), signal, request);
  }
}

/** Waits, or stops at once as ESPN_ABORTED when the job's signal fires. */
async function wait(ms: number, signal: AbortSignal | undefined, request: RequestDescription): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    throw aborted(request, error);
  }
}

function aborted(request: RequestDescription, cause: unknown): RetryableJobError {
  return new RetryableJobError('ESPN_ABORTED', `fetching ESPN's players for league ${request.leagueId} season ${request.season} was aborted at ${request.at} (shutdown or job expiry)`, {
    cause,
  });
}

/** JSON → checked players; anything else is a permanent ESPN_BAD_RESPONSE naming the path and the page. */
function parsePage(bodyText: string, request: RequestDescription): EspnPlayer[] {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch (error) {
    const start = JSON.stringify(bodyText.slice(0, 80));
    throw new PermanentJobError('ESPN_BAD_RESPONSE', `ESPN answered ${request.at} with a body that is not JSON (starts ${start})`, { cause: error });
  }
  const parsed = espnPlayerPageSchema.safeParse(json);
  if (!parsed.success) {
    throw new PermanentJobError('ESPN_BAD_RESPONSE', `ESPN's players at ${request.at} are not as expected: ${describeIssues(parsed.error.issues)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data.players.map(toEspnPlayer);
}

/** A non-negative integer count, or undefined when the header is absent or not a number. */
function parseCount(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[header.length - 1] : header;
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

/** `Retry-After` in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function describe(options: PlayersClientOptions, url: URL, offset: number, page: number): RequestDescription {
  return { leagueId: options.leagueId, season: options.season, path: url.pathname + url.search, at: `players offset ${offset} (page ${page})` };
}

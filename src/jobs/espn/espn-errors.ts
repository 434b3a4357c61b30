import { PermanentJobError, RetryableJobError } from '../outcomes.ts';
import { espnErrorSummary } from './espn-schemas.ts';

/**
 * The HTTP answer behind a refused request, kept as the job error's `cause` so logs show the
 * status and ESPN's body. Never holds request headers, so the cookies cannot leak through it.
 */
export class EspnHttpError extends Error {
  override name = 'EspnHttpError';
  readonly status: number;
  readonly body: string;
  constructor(status: number, body: string) {
    super(`HTTP ${status}: ${body.slice(0, 500)}`);
    this.status = status;
    this.body = body;
  }
}

/** Which request failed, for messages: the path only (no host, never a header). */
export interface RequestDescription {
  readonly leagueId: number;
  readonly season: number;
  readonly path: string;
  /** Where in a paged fetch it failed, e.g. `players offset 200 (page 3)`; named in every message. */
  readonly at?: string;
  /** How many times the request was retried before this answer, when the caller counts them. */
  readonly retries?: number;
}

/** `league 545 season 2025`, plus the paging position when there is one. */
function leagueOf(request: RequestDescription): string {
  const league = `league ${request.leagueId} season ${request.season}`;
  return request.at !== undefined ? `${league} at ${request.at}` : league;
}

/**
 * Maps a non-2xx answer (after the retry interceptor gave up on 429/5xx) to a job outcome:
 * refusals are permanent, overload is retryable. ESPN's own message goes into the text.
 */
export function errorForStatus(status: number, bodyText: string, request: RequestDescription): Error {
  const said = espnErrorSummary(bodyText);
  const espnSays = said ? `; ESPN says: ${said}` : '';
  const cause = new EspnHttpError(status, bodyText);
  const league = leagueOf(request);
  if (status === 401) {
    return new PermanentJobError(
      'ESPN_UNAUTHORIZED',
      `ESPN answered 401 for ${league}: a private league needs valid ESPN_S2 and ESPN_SWID cookies${espnSays}`,
      { cause },
    );
  }
  if (status === 403) return new PermanentJobError('ESPN_FORBIDDEN', `ESPN answered 403 for ${league} (GET ${request.path})${espnSays}`, { cause });
  if (status === 404) {
    return new PermanentJobError('ESPN_LEAGUE_NOT_FOUND', `ESPN has no ${league} (404; check ESPN_LEAGUE_ID and ESPN_SEASON)${espnSays}`, { cause });
  }
  if (status === 429 || status >= 500) {
    return new RetryableJobError('ESPN_UNAVAILABLE', `ESPN answered ${status} for ${league} after ${retriesOf(request)}${espnSays}`, { cause });
  }
  return new PermanentJobError('ESPN_REJECTED', `ESPN answered ${status} for ${league} (GET ${request.path})${espnSays}`, { cause });
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Maps a transport failure (no usable answer) to a retryable outcome: the next attempt may well work. */
export function errorForTransport(error: unknown, request: RequestDescription, timeoutMs: number, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) {
    return new RetryableJobError('ESPN_ABORTED', `request to ESPN for ${leagueOf(request)} was aborted (shutdown or job expiry)`, { cause: error });
  }
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new RetryableJobError('ESPN_TIMEOUT', `ESPN did not answer within ${timeoutMs} ms (GET ${request.path}${atOf(request)}, ${code})`, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  const withCode = code !== undefined && !reason.includes(code) ? `${reason} (${code})` : reason;
  return new RetryableJobError('ESPN_UNREACHABLE', `could not reach ESPN (GET ${request.path}${atOf(request)}): ${withCode}`, { cause: error });
}

function atOf(request: RequestDescription): string {
  return request.at !== undefined ? ` at ${request.at}` : '';
}

function retriesOf(request: RequestDescription): string {
  if (request.retries === undefined) return 'retries';
  return `${request.retries} ${request.retries === 1 ? 'retry' : 'retries'}`;
}

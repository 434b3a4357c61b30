/**
 * A local stand-in for ESPN's fantasy API (lm-api-reads.fantasy.espn.com) that keeps its contract:
 * the league route and `view` parameter, cookie auth for private leagues with ESPN's 401 body,
 * ESPN's 404 body for unknown leagues, plus faults on demand (5xx, 429 + Retry-After, slowness,
 * garbage). With a player pool set, it also serves `view=kona_player_info` paged by the
 * X-Fantasy-Filter header with the x-fantasy-filter-player-count header, and paging faults (no
 * count, a wrong count, a short or empty page at an offset). The real client code runs against it: in the tests, and in start-dev, where
 * espn-stand-in.ts serves the seeded league from it.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../../loopback-server.ts';

/** A league the fake serves. */
export interface FakeLeague {
  readonly season: number;
  readonly leagueId: number;
  /** The full league body (ESPN's envelope); `teams` and `members` are only sent with view=mTeam. */
  readonly body: unknown;
  /** Set for a private league: requests must carry exactly these cookies. */
  readonly cookies?: { readonly s2: string; readonly swid: string };
}

/** One fault, served instead of (or before) the normal answer; `times` defaults to 1. */
export type FakeEspnFault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly times?: number }
  | { readonly kind: 'delay'; readonly ms: number; readonly times?: number }
  | { readonly kind: 'garbage'; readonly body?: string; readonly times?: number };

/** How the pool's pages misbehave; set with the pool, applied on every request (retries included). */
export interface FakePlayerPoolOptions {
  /** The count header: the pool's size by default; a number (a wrong total), 'omit', or 'garbage'; or per offset. */
  readonly count?: FakeCount | ((offset: number) => FakeCount);
  /** Offsets answered with `{"players":[]}`. */
  readonly emptyAt?: readonly number[];
  /** Offsets answered with only the first `size` players of the page. */
  readonly shortAt?: ReadonlyArray<{ readonly offset: number; readonly size: number }>;
  /** Set for a private league: requests must carry exactly these cookies (else the league's, if set). */
  readonly cookies?: { readonly s2: string; readonly swid: string };
}

export type FakeCount = number | 'omit' | 'garbage';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** When it arrived (performance.now()), to check retry spacing. */
  readonly at: number;
}

export interface FakeEspn {
  readonly baseUrl: string;
  /** Serves (or replaces) a league at its season and id. */
  setLeague(league: FakeLeague): void;
  /** Serves `view=kona_player_info` for that league from these entries, in the order given (ESPN sorts by percent owned). */
  setPlayerPool(season: number, leagueId: number, entries: readonly unknown[], options?: FakePlayerPoolOptions): void;
  /** Queues faults; each request takes the next one until they run out. */
  injectFaults(...faults: FakeEspnFault[]): void;
  /** Drops faults not yet served and forgets recorded requests, for a clean slate between tests. */
  reset(): void;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const LEAGUE_ROUTE = /^\/apis\/v3\/games\/flb\/seasons\/(\d+)\/segments\/0\/leagues\/(\d+)$/;

/** ESPN's error envelope, as its API sends it. */
export function espnErrorBody(message: string, type: string): string {
  return JSON.stringify({ messages: [message], details: [{ message, shortMessage: message, resolution: null, type, metaData: null }] });
}

function sendJson(res: ServerResponse, status: number, body: string, extraHeaders: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(body), ...extraHeaders });
  res.end(body);
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) cookies.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return cookies;
}

/** ESPN returns only the parts of the league that the requested views ask for. */
function viewOf(body: unknown, views: readonly string[]): unknown {
  if (views.includes('mTeam') || typeof body !== 'object' || body === null) return body;
  const { teams: _teams, members: _members, ...rest } = body as Record<string, unknown>;
  return rest;
}

/** limit and offset of ESPN's X-Fantasy-Filter header; ESPN's default page is 50 from the start. */
function playerFilter(header: string | string[] | undefined): { limit: number; offset: number } | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined) return { limit: 50, offset: 0 };
  try {
    const players = (JSON.parse(text) as { players?: { limit?: unknown; offset?: unknown } }).players ?? {};
    const limit = typeof players.limit === 'number' ? players.limit : 50;
    const offset = typeof players.offset === 'number' ? players.offset : 0;
    return limit >= 0 && offset >= 0 ? { limit, offset } : undefined;
  } catch {
    return undefined;
  }
}

interface PlayerPool {
  readonly entries: readonly unknown[];
  readonly options: FakePlayerPoolOptions;
}

/** One page of the pool with its headers, faults applied. */
function poolPage(pool: PlayerPool, limit: number, offset: number): { body: string; headers: Record<string, string> } {
  const { entries, options } = pool;
  let page = options.emptyAt?.includes(offset) ? [] : entries.slice(offset, offset + limit);
  const short = options.shortAt?.find((each) => each.offset === offset);
  if (short) page = page.slice(0, short.size);
  const count = typeof options.count === 'function' ? options.count(offset) : (options.count ?? entries.length);
  const headers: Record<string, string> = {};
  if (count === 'garbage') headers['x-fantasy-filter-player-count'] = 'lots';
  else if (count !== 'omit') headers['x-fantasy-filter-player-count'] = String(count);
  return { body: JSON.stringify({ players: page }), headers };
}

export async function startFakeEspn(): Promise<FakeEspn> {
  const leagues = new Map<string, FakeLeague>();
  const pools = new Map<string, PlayerPool>();
  const faults: FakeEspnFault[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const takeFault = (): FakeEspnFault | undefined => {
    const fault = faults[0];
    if (!fault) return undefined;
    const left = (fault.times ?? 1) - 1;
    if (left <= 0) faults.shift();
    else faults[0] = { ...fault, times: left };
    return fault;
  };

  const answer = (res: ServerResponse, path: string, query: URLSearchParams, headers: IncomingHttpHeaders): void => {
    const match = LEAGUE_ROUTE.exec(path);
    if (!match) return sendJson(res, 404, espnErrorBody('Not Found', 'GENERAL_NOT_FOUND'));
    const key = `${match[1]}/${match[2]}`;
    const league = leagues.get(key);
    const pool = query.getAll('view').includes('kona_player_info') ? pools.get(key) : undefined;
    if (!league && !pool) return sendJson(res, 404, espnErrorBody('Not Found', 'GENERAL_NOT_FOUND'));
    const required = pool?.options.cookies ?? league?.cookies;
    if (required) {
      const cookies = parseCookies(headers.cookie);
      if (cookies.get('espn_s2') !== required.s2 || cookies.get('SWID') !== required.swid) {
        return sendJson(res, 401, espnErrorBody('You are not authorized to view this League.', 'AUTH_LEAGUE_NOT_VISIBLE'));
      }
    }
    if (pool) {
      const filter = playerFilter(headers['x-fantasy-filter']);
      if (!filter) return sendJson(res, 400, espnErrorBody('Invalid X-Fantasy-Filter header', 'GENERAL_ERROR'));
      const page = poolPage(pool, filter.limit, filter.offset);
      return sendJson(res, 200, page.body, page.headers);
    }
    sendJson(res, 200, JSON.stringify(viewOf(league?.body, query.getAll('view'))));
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-espn');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, at: performance.now() });
    const fault = takeFault();
    if (fault?.kind === 'status') {
      const retryAfter: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
      const reason = STATUS_TEXT[fault.status] ?? `Status ${fault.status}`;
      return sendJson(res, fault.status, espnErrorBody(reason, fault.status === 429 ? 'GENERAL_RATE_LIMIT' : 'GENERAL_ERROR'), retryAfter);
    }
    if (fault?.kind === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end(fault.body ?? '<html><body>Down for maintenance</body></html>');
    }
    if (fault?.kind === 'delay') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) answer(res, url.pathname, url.searchParams, req.headers);
      }, fault.ms);
      timers.add(timer);
      return;
    }
    answer(res, url.pathname, url.searchParams, req.headers);
  });
  const listening = await listenOnLoopback(server);

  return {
    baseUrl: listening.baseUrl,
    setLeague: (league) => {
      leagues.set(`${league.season}/${league.leagueId}`, league);
    },
    setPlayerPool: (season, leagueId, entries, options = {}) => {
      pools.set(`${season}/${leagueId}`, { entries, options });
    },
    injectFaults: (...more) => {
      faults.push(...more);
    },
    reset: () => {
      faults.length = 0;
      requests.length = 0;
    },
    requests,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await listening.close();
    },
  };
}

import { Agent, interceptors, type Dispatcher } from 'undici';
import { seasonFor, type Config } from '../../config.ts';
import { PermanentJobError } from '../outcomes.ts';
import { errorForStatus, errorForTransport, type RequestDescription } from './espn-errors.ts';
import { describeIssues, leagueTeamsSchema, teamName, type EspnTeam, type JsonObject } from './espn-schemas.ts';

export type { EspnTeam } from './espn-schemas.ts';

/** The ESPN fantasy API as the jobs need it; one per process, so connections are reused. */
export interface EspnClient {
  /** The league's teams (`?view=mTeam`), parsed and checked. Throws job outcomes, never raw HTTP errors. */
  fetchTeams(signal?: AbortSignal): Promise<EspnTeam[]>;
  /** Closes the connection pool; waits for requests in flight. */
  close(): Promise<void>;
}

/** Retry tuning; production uses the defaults, tests shrink the delays. */
export interface EspnClientOptions {
  /** Retries after the first attempt on 429, 5xx and connection resets. Default: 3. */
  readonly retries?: number;
  /** Delay before the first retry, doubled for each further one. Default: 1000. */
  readonly minRetryDelayMs?: number;
  /** Longest wait before one retry, also capping a `Retry-After` ESPN sends. Default: 30000. */
  readonly maxRetryDelayMs?: number;
}

/** The defaults of every EspnClientOptions field, in one place. */
export const espnClientDefaults: Required<EspnClientOptions> = {
  retries: 3,
  minRetryDelayMs: 1000,
  maxRetryDelayMs: 30_000,
};

/**
 * Builds the client over one undici Agent. Retries of 429/5xx (honouring `Retry-After`, backing
 * off exponentially) are undici's retry interceptor; timeouts are not retried here, since the
 * queue retries the whole job later, which is kinder to a slow ESPN than hammering it now.
 */
export function createEspnClient(config: Config['espn'], options: EspnClientOptions = {}): EspnClient {
  const settings = { ...espnClientDefaults, ...options };
  const agent = createEspnAgent(config.timeoutMs);
  const dispatcher = agent.compose(
    interceptors.retry({
      maxRetries: settings.retries,
      minTimeout: settings.minRetryDelayMs,
      maxTimeout: settings.maxRetryDelayMs,
      timeoutFactor: 2,
      retryAfter: true,
      methods: ['GET'],
      statusCodes: [429, 500, 502, 503, 504],
      // Hand the last answer through instead of an opaque RequestRetryError, so ESPN's own
      // error body reaches the job's message.
      throwOnError: false,
    }),
  );

  return {
    fetchTeams: async (signal) => {
      const leagueId = config.leagueId;
      if (leagueId === undefined) throw new PermanentJobError('ESPN_NOT_CONFIGURED', 'ESPN_LEAGUE_ID is not set');
      const season = seasonFor(config, new Date());
      const path = `/apis/v3/games/flb/seasons/${season}/segments/0/leagues/${leagueId}?view=mTeam`;
      const request: RequestDescription = { leagueId, season, path };
      const url = new URL(config.baseUrl + path);
      const { status, bodyText } = await espnGet(dispatcher, { url, config, request, signal });
      if (status < 200 || status >= 300) throw errorForStatus(status, bodyText, request);
      return parseTeams(bodyText, request);
    },
    close: () => agent.close(),
  };
}

/** The undici Agent an ESPN client sends through: one connection pool, the configured timeouts, no retries. */
export function createEspnAgent(timeoutMs: number): Agent {
  return new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs });
}

/** The host ESPN serves current seasons from, and the one that served 2017–2023 (§1.2 of the jobs reference). */
export const ESPN_READS_ORIGIN = 'https://lm-api-reads.fantasy.espn.com';
const ESPN_LEGACY_ORIGIN = 'https://fantasy.espn.com';

/**
 * The league's URL for a season: 2024 on at lm-api-reads, 2017–2023 at fantasy.espn.com, earlier
 * seasons under `leagueHistory/{id}?seasonId=`. A configured base URL other than ESPN's own (the
 * fake ESPN in tests and dev) keeps its host; only the path still follows the year.
 */
export function leagueUrl(baseUrl: string, season: number, leagueId: number): URL {
  const origin = baseUrl === ESPN_READS_ORIGIN && season < 2024 ? ESPN_LEGACY_ORIGIN : baseUrl;
  if (season < 2017) {
    const url = new URL(`${origin}/apis/v3/games/flb/leagueHistory/${leagueId}`);
    url.searchParams.set('seasonId', String(season));
    return url;
  }
  return new URL(`${origin}/apis/v3/games/flb/seasons/${season}/segments/0/leagues/${leagueId}`);
}

/** The cookie header of a private league, exactly as ESPN expects it; undefined for a public one. */
export function espnCookieHeader(config: Pick<Config['espn'], 's2' | 'swid'>): string | undefined {
  // Both or neither: config guarantees it. The cookie only ever lives in this header.
  return config.s2 !== undefined && config.swid !== undefined ? `espn_s2=${config.s2}; SWID=${config.swid}` : undefined;
}

/** One GET to ESPN: where, with which credentials, and how to describe it in errors. */
export interface EspnGet {
  readonly url: URL;
  readonly config: Pick<Config['espn'], 's2' | 'swid' | 'timeoutMs'>;
  readonly request: RequestDescription;
  readonly signal?: AbortSignal | undefined;
  /** Sent besides accept, user-agent and the cookie (e.g. `x-fantasy-filter`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** GET the URL and read the whole body; transport failures become retryable job errors. */
export async function espnGet(
  dispatcher: Dispatcher,
  { url, config, request, signal, headers: extra = {} }: EspnGet,
): Promise<{ status: number; bodyText: string; headers: Dispatcher.ResponseData['headers'] }> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'trademachine-worker', ...extra };
  const cookie = espnCookieHeader(config);
  if (cookie !== undefined) headers.cookie = cookie;
  try {
    const response = await dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: 'GET',
      headers,
      ...(signal ? { signal } : {}),
    });
    return { status: response.statusCode, bodyText: await response.body.text(), headers: response.headers };
  } catch (error) {
    throw errorForTransport(error, request, config.timeoutMs, signal);
  }
}

/** JSON → checked teams; anything else is a permanent ESPN_BAD_RESPONSE naming where it went wrong. */
function parseTeams(bodyText: string, request: RequestDescription): EspnTeam[] {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch (error) {
    const start = JSON.stringify(bodyText.slice(0, 80));
    throw new PermanentJobError('ESPN_BAD_RESPONSE', `ESPN answered league ${request.leagueId} with a body that is not JSON (starts ${start})`, {
      cause: error,
    });
  }
  const parsed = leagueTeamsSchema.safeParse(json);
  if (!parsed.success) {
    throw new PermanentJobError('ESPN_BAD_RESPONSE', `ESPN's teams for league ${request.leagueId} are not as expected: ${describeIssues(parsed.error.issues)}`, {
      cause: parsed.error,
    });
  }
  // The schema proved `json.teams` is an array of objects; `raw` keeps each exactly as received.
  // It came from JSON.parse, so it is JSON by construction.
  const rawTeams = (json as { teams: JsonObject[] }).teams;
  return parsed.data.teams.map((team, index) => ({
    id: team.id,
    name: teamName(team),
    ...(team.abbrev !== undefined ? { abbrev: team.abbrev } : {}),
    raw: rawTeams[index] ?? {},
  }));
}

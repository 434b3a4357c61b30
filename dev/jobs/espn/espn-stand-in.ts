import { currentSeason, generateLeague } from '../../seed/generate-league.ts';
import type { StandIn } from '../../stand-in.ts';
import { startFakeEspn } from './fake-espn.ts';
import { seededPlayerPool } from './seeded-player-pool.ts';
import { seededLeagueBody } from './seeded-league-body.ts';

/** Players in the stand-in's pool (ten pages): enough for `espn.players-sync` to have real work. */
export const STAND_IN_POOL_SIZE = 1000;

/** The league id the stand-in serves the seeded league under. */
export const STAND_IN_LEAGUE_ID = 424242;

/**
 * ESPN for start-dev: the fake ESPN server (the one the tests use) serving the seeded league, so
 * `espn.team-sync` completes on a fresh clone, and the seeded majors' pool (plus generated free agents
 * up to 1,000), so `espn.players-sync` does too. A real league (ESPN_LEAGUE_ID set) wins.
 */
export const espnStandIn: StandIn = {
  name: 'espn',
  realServiceReason: (env) => (env.ESPN_LEAGUE_ID ? `real league ${env.ESPN_LEAGUE_ID} (ESPN_LEAGUE_ID is set)` : undefined),
  async start(env) {
    const season = env.ESPN_SEASON ? Number(env.ESPN_SEASON) : currentSeason();
    const fake = await startFakeEspn();
    const league = generateLeague(season);
    fake.setLeague({ season, leagueId: STAND_IN_LEAGUE_ID, body: seededLeagueBody(league, STAND_IN_LEAGUE_ID) });
    // The seeded majors' own entries (their ids, names and rosters on the seeded teams' espnId 1…n),
    // then generated free agents: the players sync finds every seeded major by its ESPN id.
    fake.setPlayerPool(season, STAND_IN_LEAGUE_ID, seededPlayerPool(league, STAND_IN_POOL_SIZE));
    return {
      env: { ESPN_BASE_URL: fake.baseUrl, ESPN_LEAGUE_ID: String(STAND_IN_LEAGUE_ID), ESPN_SEASON: String(season) },
      summary: `stand-in ${fake.baseUrl} serving the seeded league (id ${STAND_IN_LEAGUE_ID}, season ${season}) and a pool of ${STAND_IN_POOL_SIZE} players`,
      close: () => fake.close(),
    };
  },
};

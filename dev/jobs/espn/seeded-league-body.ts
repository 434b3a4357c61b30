import type { JsonObject } from '../../../src/db/types.generated.ts';
import type { SeedLeague } from '../../seed/seed-league.ts';

/**
 * The seeded league as ESPN's league endpoint returns it (the envelope of the recorded fixture:
 * `gameId`, `id`, `members`, `scoringPeriodId`, `seasonId`, `segmentId`, `settings`, `status`,
 * `teams`), so the team sync reads it exactly as it reads the real one. Team ids are the seeded
 * teams' `espnId`s; `owners` join to `members[].id`.
 */
export function seededLeagueBody(league: SeedLeague, leagueId: number): JsonObject {
  const size = league.espn.teams.length;
  return {
    gameId: 1,
    id: leagueId,
    members: [...league.espn.members],
    scoringPeriodId: 1,
    seasonId: league.season,
    segmentId: 0,
    settings: { isCustomizable: true, isPublic: false, name: 'TradeMachine Dev League', restrictionType: 'NONE', size },
    status: {
      currentMatchupPeriod: 1,
      firstScoringPeriod: 1,
      isActive: true,
      isExpired: false,
      isFull: true,
      isViewable: true,
      latestScoringPeriod: 1,
      previousSeasons: Array.from({ length: 5 }, (_, index) => league.season - 5 + index),
      teamsJoined: size,
    },
    teams: [...league.espn.teams],
  };
}

import { generateDraftPicks } from './draft-picks.ts';
import { generatePlayers } from './players.ts';
import { seasonDates, type SeedLeague } from './seed-league.ts';
import { seedId } from './seed-ids.ts';
import { generateTeams } from './teams.ts';
import { generateTrades } from './trades.ts';

/** The season a fresh seed describes when none is given: the current UTC year, as ESPN_SEASON defaults. */
export function currentSeason(now: Date = new Date()): number {
  return now.getUTCFullYear();
}

/**
 * The dev league, built in memory from fixed seeds: the same rows, ids and names on every run for
 * a given season. Pure: writing it is `writeLeague`'s business.
 */
export function generateLeague(season: number = currentSeason()): SeedLeague {
  const dates = seasonDates(season);
  const teams = generateTeams(dates);
  const teamIds = teams.team.map((team) => team.id);
  const players = generatePlayers(dates, teamIds);
  const picks = generateDraftPicks(season, dates, teamIds);
  const trades = generateTrades(dates, { teamIds, ownersByTeam: teams.ownersByTeam, ...players, ...picks });
  return {
    season,
    team: teams.team,
    user: teams.user,
    // The league's trade window, set once by the admin.
    settings: [
      {
        id: seedId('settings', 0),
        dateCreated: dates.offseasonStart,
        dateModified: dates.offseasonStart,
        tradeWindowStart: '08:00:00',
        tradeWindowEnd: '23:00:00',
        downtime: null,
        modifiedById: teams.user[0]?.id ?? null,
      },
    ],
    player: players.player,
    draft_pick: picks.draft_pick,
    trade: trades.trade,
    trade_participant: trades.trade_participant,
    trade_item: trades.trade_item,
    espn: { teams: teams.espnTeams, members: teams.espnMembers },
  };
}

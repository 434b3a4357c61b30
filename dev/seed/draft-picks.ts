import { fakerFor, type SeasonDates, type SeedRow } from './seed-league.ts';
import { seedId } from './seed-ids.ts';
import { LEAGUE_SIZE } from './teams.ts';

/**
 * The draft-pick sheet's 15 picks per owner (jobs-reference §3.3): 10 major-league rounds, one
 * high-minors round (HM1) and four low-minors rounds (LM1, LM3, LM4, LM5). Majors picks belong to
 * the next season, minors picks to this one (§3.4).
 */
const pickRounds: readonly { readonly type: '1' | '2' | '3'; readonly round: number; readonly seasonOffset: number }[] = [
  ...Array.from({ length: 10 }, (_, index) => ({ type: '1' as const, round: index + 1, seasonOffset: 1 })),
  { type: '2', round: 1, seasonOffset: 0 },
  ...[1, 3, 4, 5].map((round) => ({ type: '3' as const, round, seasonOffset: 0 })),
];

/** Share of picks that have changed hands in earlier trades. */
const TRADED_SHARE = 0.12;

export interface SeedPicks {
  readonly draft_pick: SeedRow<'draft_pick'>[];
  /** Pick ids per current holder's team index, to trade from. */
  readonly picksByTeam: readonly (readonly string[])[];
}

/** Every team's picks for the current seasons, a few of them already traded away. */
export function generateDraftPicks(season: number, dates: SeasonDates, teamIds: readonly string[]): SeedPicks {
  const faker = fakerFor('draft-picks');
  const draftOrder = faker.helpers.shuffle(Array.from({ length: LEAGUE_SIZE }, (_, index) => index));
  const draft_pick: SeedRow<'draft_pick'>[] = [];
  const picksByTeam: string[][] = Array.from({ length: LEAGUE_SIZE }, () => []);
  for (const [slot, original] of draftOrder.entries()) {
    for (const { type, round, seasonOffset } of pickRounds) {
      const holder = faker.datatype.boolean(TRADED_SHARE) ? faker.helpers.arrayElement(draftOrder.filter((team) => team !== original)) : original;
      const id = seedId('draft-pick', type, season + seasonOffset, round, original);
      picksByTeam[holder]?.push(id);
      draft_pick.push({
        id,
        dateCreated: dates.offseasonStart,
        dateModified: dates.lastSynced,
        round,
        pickNumber: (round - 1) * LEAGUE_SIZE + slot + 1,
        season: season + seasonOffset,
        type,
        currentOwnerId: teamIds[holder] ?? null,
        originalOwnerId: teamIds[original] ?? null,
        lastSyncedAt: dates.lastSynced,
      });
    }
  }
  return { draft_pick, picksByTeam };
}

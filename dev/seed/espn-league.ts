import type { Faker } from '@faker-js/faker';
import type { JsonObject } from '../../src/db/types.generated.ts';
import { seedEspnGuid, seedId } from './seed-ids.ts';

/** Teams per ESPN division. */
const DIVISION_SIZE = 5;
/** ESPN's stock baseball logos are numbered 1–24. */
const STOCK_LOGOS = 24;

/** A league member as `members[]` of `?view=mTeam` lists it; also what `user."espnMember"` holds. */
export function espnMember(faker: Faker, userIndex: number, firstName: string, lastName: string): JsonObject {
  return {
    displayName: faker.internet.username({ firstName, lastName }),
    firstName,
    id: seedEspnGuid('member', userIndex),
    isLeagueManager: userIndex === 0,
    lastName,
    notificationSettings: [
      { enabled: true, id: seedId('espn-notification', userIndex, 'trade'), type: 'TEAM_TRADE_OFFER' },
      { enabled: faker.datatype.boolean(), id: seedId('espn-notification', userIndex, 'news'), type: 'TEAM_PLAYER_NEWS' },
    ],
  };
}

/** A season record split as ESPN splits it (overall, home, away, division). */
function espnRecord(faker: Faker): JsonObject {
  const split = (wins: number, losses: number, ties: number): JsonObject => ({
    gamesBack: faker.number.float({ min: 0, max: 12, fractionDigits: 1 }),
    losses,
    percentage: wins + losses + ties === 0 ? 0 : (wins + ties / 2) / (wins + losses + ties),
    pointsAgainst: 0,
    pointsFor: 0,
    streakLength: faker.number.int({ min: 1, max: 4 }),
    streakType: faker.helpers.arrayElement(['WIN', 'LOSS']),
    ties,
    wins,
  });
  const wins = faker.number.int({ min: 40, max: 110 });
  const losses = faker.number.int({ min: 40, max: 110 });
  const ties = faker.number.int({ min: 5, max: 25 });
  const home = Math.round(wins / 2);
  return {
    away: split(wins - home, Math.round(losses / 2), Math.round(ties / 2)),
    division: split(Math.round(wins / 3), Math.round(losses / 3), Math.round(ties / 3)),
    home: split(home, losses - Math.round(losses / 2), ties - Math.round(ties / 2)),
    overall: split(wins, losses, ties),
  };
}

/**
 * A team as `teams[]` of `?view=mTeam` lists it (2025 shape, with `name`), with id `index + 1`
 * (the seeded team's `espnId`) and `owners` joining to the members' ids; also what `team."espnTeam"` holds.
 */
export function espnTeamOf(
  faker: Faker,
  team: { readonly index: number; readonly name: string; readonly abbrev: string; readonly owners: readonly string[]; readonly leagueSize: number },
): JsonObject {
  const { index, name, abbrev, owners } = team;
  return {
    abbrev,
    currentProjectedRank: 0,
    divisionId: Math.floor(index / DIVISION_SIZE),
    draftDayProjectedRank: 0,
    id: index + 1,
    isActive: true,
    logo: `https://g.espncdn.com/lm-static/logo-packs/core/BaseballPrimary/baseball-${faker.number.int({ min: 1, max: STOCK_LOGOS })}.svg`,
    logoType: 'VECTOR',
    name,
    owners: [...owners],
    playoffSeed: 0,
    points: 0,
    pointsAdjusted: 0,
    pointsDelta: 0,
    primaryOwner: owners[0] ?? null,
    rankCalculatedFinal: 0,
    rankFinal: 0,
    record: espnRecord(faker),
    waiverRank: faker.number.int({ min: 1, max: team.leagueSize }),
  };
}

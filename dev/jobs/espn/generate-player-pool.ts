/**
 * A generated ESPN player pool in the real entry shape of `?view=kona_player_info` (jobs-reference
 * §1.2; field layout as in fixtures/espn/league-fhl2020-full-rosters.json), sorted by percent
 * owned, most owned first, as ESPN sends it. Deterministic: the same count and seed give the same pool.
 */
import { Faker, base, en } from '@faker-js/faker';
import type { JsonObject } from '../../../src/jobs/espn/espn-schemas.ts';
import { espnPositions, injuryStatuses, positionWeights } from '../../seed/espn-codes.ts';

export interface PlayerPoolOptions {
  /** Faker seed. Default: 2025. */
  readonly seed?: number;
  /** Fantasy teams (`onTeamId` 1…teamCount) the owned players are spread over. Default: 10. */
  readonly teamCount?: number;
  /** Players per fantasy team; the most owned are rostered. Default: 25. */
  readonly rosterSize?: number;
  /** The first ESPN player id; ids then count up. Default: 30000. */
  readonly firstId?: number;
}

/** `count` pool entries, most owned first. */
export function generatePlayerPool(count: number, options: PlayerPoolOptions = {}): JsonObject[] {
  const faker = new Faker({ locale: [en, base], seed: options.seed ?? 2025 });
  const teamCount = options.teamCount ?? 10;
  const rostered = teamCount * (options.rosterSize ?? 25);
  const firstId = options.firstId ?? 30_000;
  // Ownership falls off with the rank, like a real pool: a few near 100 %, a long tail near 0.
  const owned = Array.from({ length: count }, (_, rank) => Math.max(0, 100 * Math.exp(-rank / (Math.max(rostered, 1) * 0.6)) - faker.number.float({ min: 0, max: 2 })));
  owned.sort((a, b) => b - a);
  return owned.map((percentOwned, rank) => {
    const id = firstId + rank;
    const firstName = faker.person.firstName('male');
    const lastName = faker.person.lastName();
    const position = faker.helpers.weightedArrayElement([...positionWeights]);
    const injured = faker.number.float({ min: 0, max: 1 }) < 0.08;
    const onTeamId = rank < rostered ? (rank % teamCount) + 1 : 0;
    const status = onTeamId > 0 ? 'ONTEAM' : faker.number.float({ min: 0, max: 1 }) < 0.05 ? 'WAIVERS' : 'FREEAGENT';
    const rating = (): JsonObject => ({
      positionalRanking: faker.number.int({ min: 0, max: 120 }),
      statCategoryRanking: faker.number.int({ min: 0, max: 600 }),
      totalRanking: faker.number.int({ min: 0, max: 600 }),
      totalRating: faker.number.float({ min: 0, max: 12, fractionDigits: 6 }),
    });
    return {
      draftAuctionValue: rank < rostered ? faker.number.int({ min: 0, max: 45 }) : 0,
      id,
      keeperValue: faker.number.int({ min: 0, max: 20 }),
      keeperValueFuture: faker.number.int({ min: 0, max: 20 }),
      lineupLocked: false,
      onTeamId,
      player: {
        active: faker.number.float({ min: 0, max: 1 }) < 0.95,
        defaultPositionId: position.id,
        droppable: true,
        eligibleSlots: [...(espnPositions.find((each) => each.id === position.id)?.eligibleSlots ?? [])],
        firstName,
        fullName: `${firstName} ${lastName}`,
        id,
        injured,
        injuryStatus: injured ? faker.helpers.arrayElement(injuryStatuses) : 'ACTIVE',
        lastName,
        ownership: {
          auctionValueAverage: faker.number.float({ min: 0, max: 40 }),
          averageDraftPosition: faker.number.float({ min: 1, max: 300 }),
          percentChange: faker.number.float({ min: -2, max: 2 }),
          percentOwned,
          percentStarted: percentOwned * faker.number.float({ min: 0.3, max: 0.95 }),
        },
        proTeamId: faker.number.int({ min: 0, max: 30 }),
        universeId: 1,
      },
      ratings: { '0': rating(), '1': rating(), '2': rating(), '3': rating() },
      rosterLocked: false,
      status,
      tradeLocked: false,
    };
  });
}

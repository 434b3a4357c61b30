import type { Insertable } from 'kysely';
import { Faker, base, en } from '@faker-js/faker';
import type { DB, JsonObject } from '../../src/db/types.generated.ts';

/** A row ready to insert into one of the owner's tables. */
export type SeedRow<Table extends keyof DB> = Insertable<DB[Table]>;

/** The whole seeded league: rows per table, in an order that satisfies the foreign keys. */
export interface SeedLeague {
  readonly season: number;
  readonly team: readonly SeedRow<'team'>[];
  readonly user: readonly SeedRow<'user'>[];
  readonly settings: readonly SeedRow<'settings'>[];
  readonly player: readonly SeedRow<'player'>[];
  readonly draft_pick: readonly SeedRow<'draft_pick'>[];
  readonly trade: readonly SeedRow<'trade'>[];
  readonly trade_participant: readonly SeedRow<'trade_participant'>[];
  readonly trade_item: readonly SeedRow<'trade_item'>[];
  /** The league as ESPN describes it (`teams` and `members` of `?view=mTeam`), for the ESPN stand-in. */
  readonly espn: { readonly teams: readonly JsonObject[]; readonly members: readonly JsonObject[] };
}

/** The tables the seed writes, in insertion order. */
export const seedTables = ['team', 'user', 'settings', 'player', 'draft_pick', 'trade', 'trade_participant', 'trade_item'] as const;
export type SeedTable = (typeof seedTables)[number];

/** The fixed seed of every generator: the same league on every machine. */
export const SEED = 20_240_901;

/**
 * A Faker of its own for one part of the league, seeded from the part's name, so that changing
 * how players are made leaves the team names (and everything else) as they were.
 */
export function fakerFor(part: string): Faker {
  let seed = SEED;
  for (const char of part) seed = (Math.imul(seed, 31) + char.charCodeAt(0)) | 0;
  return new Faker({ locale: [en, base], seed: Math.abs(seed) });
}

/** The moments the seeded history hangs on; all in UTC, all derived from the season. */
export interface SeasonDates {
  /** When last season ended and this league year's trades began. */
  readonly offseasonStart: Date;
  /** When the seeded "syncs" last ran. */
  readonly lastSynced: Date;
  readonly openingDay: Date;
}

export function seasonDates(season: number): SeasonDates {
  return {
    offseasonStart: new Date(Date.UTC(season - 1, 9, 1)),
    lastSynced: new Date(Date.UTC(season, 2, 1, 9, 22)),
    openingDay: new Date(Date.UTC(season, 2, 27)),
  };
}

import { closeOwnerDb, createOwnerDb } from '../../src/db/database.ts';
import type { DB } from '../../src/db/types.generated.ts';
import { currentSeason, generateLeague } from './generate-league.ts';
import { seedExamples } from './seed-examples.ts';
import { seedTables, type SeedLeague } from './seed-league.ts';
import { writeLeague, type SeedCounts } from './write-league.ts';

export interface SeedOptions {
  /** The owner's schema to fill. Default: public. */
  readonly schema?: string;
  /** The fantasy season the league is in. Default: the current UTC year (ESPN_SEASON's default). */
  readonly season?: number;
}

export interface SeedResult {
  readonly league: SeedLeague;
  readonly inserted: SeedCounts;
}

/** Generates the dev league and writes what is missing of it into the database at `url`. */
export async function seedDatabase(url: string, options: SeedOptions = {}): Promise<SeedResult> {
  const handle = createOwnerDb<DB>({ url, poolMax: 2, applicationName: 'trademachine-seed', ...(options.schema ? { schema: options.schema } : {}) });
  try {
    const league = generateLeague(options.season ?? currentSeason());
    return { league, inserted: await writeLeague(handle.db, league) };
  } finally {
    await closeOwnerDb(handle);
  }
}

/** One line saying what a run did, e.g. `seeded season 2026: 21 teams, 25 users, … (1,208 rows inserted)`. */
export function describeSeed({ league, inserted }: SeedResult): string {
  const total = seedTables.reduce((sum, table) => sum + inserted[table], 0);
  const sizes = `${league.team.length} teams, ${league.user.length} users, ${league.player.length} players, ${league.draft_pick.length} draft picks, ${league.trade.length} trades`;
  const outcome = total === 0 ? 'already there, nothing inserted' : `${total.toLocaleString('en-US')} rows inserted`;
  return `dev league, season ${league.season}: ${sizes} (${outcome})`;
}

/** Whether the database holds the seeded league (its first user), so the banner can say to seed first. */
export async function isSeeded(url: string, schema?: string): Promise<boolean> {
  const handle = createOwnerDb<DB>({ url, poolMax: 1, applicationName: 'trademachine-seed', ...(schema ? { schema } : {}) });
  try {
    return (await handle.db.selectFrom('user').select('id').where('id', '=', seedExamples.testEmailUserId).executeTakeFirst()) !== undefined;
  } catch {
    return false;
  } finally {
    await closeOwnerDb(handle);
  }
}

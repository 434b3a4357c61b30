/**
 * The pool ESPN would send for the seeded league: every seeded major leaguer's own ESPN entry (the
 * one the seed stored in `meta.espnPlayer`, so its id, name and roster spot agree with the row),
 * then generated players up to `size`, most owned first as ESPN sorts them. Syncing it finds the
 * seeded majors by ESPN id instead of reporting them missing from ESPN.
 */
import type { JsonObject } from '../../../src/jobs/espn/espn-schemas.ts';
import type { SeedLeague } from '../../seed/seed-league.ts';
import { generatePlayerPool } from './generate-player-pool.ts';

/** Above every id the seed draws (30,000…4,999,999), so generated entries never collide with seeded ones. */
const GENERATED_FIRST_ID = 5_000_000;

function percentOwned(entry: JsonObject): number {
  const player = entry.player as { ownership?: { percentOwned?: number } } | undefined;
  return player?.ownership?.percentOwned ?? 0;
}

/** `size` entries (at least the seeded majors), sorted by percent owned, highest first. */
export function seededPlayerPool(league: SeedLeague, size: number, seed: number = league.season): JsonObject[] {
  const seeded = league.player.flatMap((row) => {
    const espnPlayer = row.league === '1' ? (row.meta as { espnPlayer?: JsonObject } | null)?.espnPlayer : undefined;
    return espnPlayer ? [espnPlayer] : [];
  });
  const generated = generatePlayerPool(Math.max(0, size - seeded.length), {
    seed,
    firstId: GENERATED_FIRST_ID,
    // Rosters come from the seeded entries; the generated rest are free agents and waivers.
    teamCount: 1,
    rosterSize: 0,
  });
  return [...seeded, ...generated].sort((a, b) => percentOwned(b) - percentOwned(a));
}

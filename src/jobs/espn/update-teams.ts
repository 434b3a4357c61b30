import type { OwnerDb } from '../../db/database.ts';
import type { EspnTeam } from './espn-schemas.ts';

export interface TeamUpdateCounts {
  /** ESPN teams looked at. */
  readonly processed: number;
  /** `team` rows changed. */
  readonly updated: number;
  /** ESPN teams without a `team` row (matched on `"espnId"`). */
  readonly skipped: number;
  readonly skippedEspnIds: readonly number[];
}

/**
 * Copies ESPN's name and raw team onto the `team` rows whose `"espnId"` matches, all in one
 * transaction so a failure leaves every row as it was. Teams the owner has no row for are only
 * counted: creating teams is the owner's business, not the sync's.
 */
export async function updateTeamsFromEspn(db: OwnerDb, teams: readonly EspnTeam[], now: Date): Promise<TeamUpdateCounts> {
  return db.transaction().execute(async (trx) => {
    let updated = 0;
    const skippedEspnIds: number[] = [];
    for (const team of teams) {
      const result = await trx
        .updateTable('team')
        .set({ name: team.name, espnTeam: team.raw, lastSyncedAt: now, dateModified: now })
        .where('espnId', '=', team.id)
        .executeTakeFirst();
      if (result.numUpdatedRows > 0n) updated += Number(result.numUpdatedRows);
      else skippedEspnIds.push(team.id);
    }
    return { processed: teams.length, updated, skipped: skippedEspnIds.length, skippedEspnIds };
  });
}

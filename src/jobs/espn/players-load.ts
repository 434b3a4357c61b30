import { sql } from 'kysely';
import type { OwnerDb } from '../../db/database.ts';
import type { PlayerRow } from './players-plan.ts';

/**
 * The rows the matcher may touch, in one query: every major plus any row that already carries an
 * ESPN id (minor leaguers linked by hand), with the owning team's ESPN id and, of `meta`, only the
 * one path the position tie-break reads (§1.7: the previous worker never loaded it). Ordered by id
 * so matching never depends on the order the database happens to return.
 */
export async function loadPlayerRows(db: OwnerDb): Promise<PlayerRow[]> {
  const rows = await db
    .selectFrom('player')
    .leftJoin('team', 'team.id', 'player.leagueTeamId')
    .select([
      'player.id',
      'player.name',
      'player.league',
      'player.mlbTeam',
      'player.playerDataId',
      'player.leagueTeamId',
      'team.espnId as ownerEspnId',
      // A hand-edited meta may hold anything there: a non-integer reads as null, never as an error.
      sql<number | null>`(SELECT CASE WHEN v ~ '^[0-9]{1,9}$' THEN v::integer END
        FROM (SELECT ${sql.ref('player.meta')}->'espnPlayer'->'player'->>'defaultPositionId' AS v) AS position_path)`.as('defaultPositionId'),
    ])
    .where((eb) => eb.or([eb('player.league', '=', '1'), eb('player.playerDataId', 'is not', null)]))
    .orderBy('player.id')
    .execute();
  return rows;
}

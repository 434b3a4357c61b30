/**
 * Writes resolved draft picks to one target (§3.5, issue 9), set-based and in one transaction: the whole input
 * travels as ONE jsonb parameter through jsonb_to_recordset into one INSERT … ON CONFLICT (type, season, round,
 * "originalOwnerId") DO UPDATE, whatever the number of picks. The conflict path sets the current owner, the pick
 * number and `lastSyncedAt`; `dateModified` moves only when the owner or the number really changed. No clearing
 * step: picks missing from the sheet keep their last state. A failure rolls the target back whole.
 */
import { sql } from 'kysely';
import type { OwnerDb } from '../../db/database.ts';

/** `draft_pick.type` labels: '1' majors, '2' high minors, '3' low minors. */
export type DraftPickTypeLabel = '1' | '2' | '3';

/** One pick to write, owners already resolved to team ids. */
export interface DraftPickWriteRow {
  readonly type: DraftPickTypeLabel;
  readonly season: number;
  /** Decimal as text (`"1"`, `"1.5"`); compared as numeric. */
  readonly round: string;
  readonly originalOwnerId: string;
  readonly currentOwnerId: string;
  readonly pickNumber: number;
}

export interface DraftPickWriteOptions {
  /** The sync's clock: every timestamp written is this, never the database's. */
  readonly now: Date;
}

export interface DraftPickWriteCounts {
  /** New rows. */
  readonly inserted: number;
  /** Existing rows whose current owner or pick number really changed. */
  readonly updated: number;
  /** Existing rows already as the sheet says: only `lastSyncedAt` moved. */
  readonly unchanged: number;
  /** Rows dropped because an earlier row had the same upsert key (the first is kept). */
  readonly duplicates: number;
}

/** The upsert key, as the unique index compares it (round as numeric: `1` and `1.0` are one key). */
export function draftPickKey(row: Pick<DraftPickWriteRow, 'type' | 'season' | 'round' | 'originalOwnerId'>): string {
  return `${row.type}|${row.season}|${Number(row.round)}|${row.originalOwnerId}`;
}

/**
 * Keeps the first row of each upsert key: ON CONFLICT cannot touch one row twice in a statement, so a pick listed
 * twice would otherwise fail the whole write. Returns the rows kept and the rows dropped, in input order.
 */
export function dedupeDraftPicks<Row extends Pick<DraftPickWriteRow, 'type' | 'season' | 'round' | 'originalOwnerId'>>(
  rows: readonly Row[],
): { kept: Row[]; dropped: Row[] } {
  const seen = new Set<string>();
  const kept: Row[] = [];
  const dropped: Row[] = [];
  for (const row of rows) {
    const key = draftPickKey(row);
    if (seen.has(key)) dropped.push(row);
    else {
      seen.add(key);
      kept.push(row);
    }
  }
  return { kept, dropped };
}

/**
 * Upserts the picks; see the module comment. Counts come from the statement itself: `xmax = 0` tells inserts from
 * conflict-updates, and whether an update changed anything is decided from the row as it was (same snapshot).
 */
export async function writeDraftPicks(db: OwnerDb, picks: readonly DraftPickWriteRow[], options: DraftPickWriteOptions): Promise<DraftPickWriteCounts> {
  const { kept, dropped } = dedupeDraftPicks(picks);
  const input = kept.map((row) => ({
    type: row.type,
    season: row.season,
    round: row.round,
    original_owner_id: row.originalOwnerId,
    current_owner_id: row.currentOwnerId,
    pick_number: row.pickNumber,
  }));
  const now = sql`${options.now}::timestamp(6)`;
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ written: number; inserted: number; updated: number; unchanged: number }>`
      WITH input AS (
        SELECT r.type::draft_pick_type_enum AS type, r.season, r.round::numeric AS round,
          r.original_owner_id AS "originalOwnerId", r.current_owner_id AS "currentOwnerId", r.pick_number AS "pickNumber"
        FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS r(
          type text, season integer, round text, original_owner_id uuid, current_owner_id uuid, pick_number integer)
      ),
      source AS (
        SELECT i.*, e.id IS NOT NULL AS existed,
          (e."currentOwnerId" IS DISTINCT FROM i."currentOwnerId" OR e."pickNumber" IS DISTINCT FROM i."pickNumber") AS changed
        FROM input AS i
        LEFT JOIN draft_pick AS e
          ON e.type = i.type AND e.season = i.season AND e.round = i.round AND e."originalOwnerId" = i."originalOwnerId"
      ),
      written AS (
        INSERT INTO draft_pick AS d (id, type, season, round, "originalOwnerId", "currentOwnerId", "pickNumber", "lastSyncedAt", "dateCreated", "dateModified")
        SELECT gen_random_uuid(), s.type, s.season, s.round, s."originalOwnerId", s."currentOwnerId", s."pickNumber", ${now}, ${now}, ${now}
        FROM source AS s
        ON CONFLICT (type, season, round, "originalOwnerId") DO UPDATE SET
          "currentOwnerId" = excluded."currentOwnerId",
          "pickNumber" = excluded."pickNumber",
          "lastSyncedAt" = excluded."lastSyncedAt",
          "dateModified" = CASE
            WHEN d."currentOwnerId" IS DISTINCT FROM excluded."currentOwnerId" OR d."pickNumber" IS DISTINCT FROM excluded."pickNumber"
            THEN excluded."dateModified" ELSE d."dateModified" END
        RETURNING d.type, d.season, d.round, d."originalOwnerId", (xmax = 0) AS inserted
      )
      SELECT count(*)::integer AS written,
        (count(*) FILTER (WHERE w.inserted))::integer AS inserted,
        -- A row another writer inserted after this snapshot counts as updated: it was not there to compare.
        (count(*) FILTER (WHERE NOT w.inserted AND (NOT s.existed OR s.changed)))::integer AS updated,
        (count(*) FILTER (WHERE NOT w.inserted AND s.existed AND NOT s.changed))::integer AS unchanged
      FROM written AS w
      JOIN source AS s
        ON s.type = w.type AND s.season = w.season AND s.round = w.round AND s."originalOwnerId" = w."originalOwnerId"`.execute(trx);
    const counts = rows[0];
    if (counts === undefined || counts.written !== input.length) {
      // Never report as done what was not: roll the target back.
      throw new Error(`draft_pick upsert wrote ${counts?.written ?? 0} rows for ${input.length} picks; rolled back`);
    }
    return { inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged, duplicates: dropped.length };
  });
}

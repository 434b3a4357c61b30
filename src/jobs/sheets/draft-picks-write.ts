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

/** What the upsert's source computes for each input pick. */
interface DraftPickSource {
  type: DraftPickTypeLabel;
  season: number;
  round: string;
  originalOwnerId: string;
  currentOwnerId: string;
  pickNumber: number;
  existed: boolean;
  changed: boolean;
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
  const now = sql<Date>`${options.now}::timestamp(6)`;
  // Parenthesised: Kysely puts a raw CTE body after AS as it is. Each input pick with the row it
  // meets (same snapshot), so "changed" is decided before writing.
  const source = sql<DraftPickSource>`(
    SELECT i.*, e.id IS NOT NULL AS existed,
      (e."currentOwnerId" IS DISTINCT FROM i."currentOwnerId" OR e."pickNumber" IS DISTINCT FROM i."pickNumber") AS changed
    FROM (
      SELECT r.type::draft_pick_type_enum AS type, r.season, r.round::numeric AS round,
        r.original_owner_id AS "originalOwnerId", r.current_owner_id AS "currentOwnerId", r.pick_number AS "pickNumber"
      FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS r(
        type text, season integer, round text, original_owner_id uuid, current_owner_id uuid, pick_number integer)
    ) AS i
    LEFT JOIN draft_pick AS e
      ON e.type = i.type AND e.season = i.season AND e.round = i.round AND e."originalOwnerId" = i."originalOwnerId")`;
  return db.transaction().execute(async (trx) => {
    const counts = await trx
      .with('source', () => source)
      .with('written', (qc) =>
        qc
          .insertInto('draft_pick')
          .columns(['id', 'type', 'season', 'round', 'originalOwnerId', 'currentOwnerId', 'pickNumber', 'lastSyncedAt', 'dateCreated', 'dateModified'])
          .expression((eb) =>
            eb
              .selectFrom('source')
              .select([
                sql<string>`gen_random_uuid()`.as('id'),
                'source.type',
                'source.season',
                'source.round',
                'source.originalOwnerId',
                'source.currentOwnerId',
                'source.pickNumber',
                now.as('lastSyncedAt'),
                now.as('dateCreated'),
                now.as('dateModified'),
              ]),
          )
          .onConflict((oc) =>
            oc.columns(['type', 'season', 'round', 'originalOwnerId']).doUpdateSet((eb) => ({
              currentOwnerId: eb.ref('excluded.currentOwnerId'),
              pickNumber: eb.ref('excluded.pickNumber'),
              lastSyncedAt: eb.ref('excluded.lastSyncedAt'),
              dateModified: sql<Date>`CASE
                WHEN ${eb.ref('draft_pick.currentOwnerId')} IS DISTINCT FROM ${eb.ref('excluded.currentOwnerId')}
                  OR ${eb.ref('draft_pick.pickNumber')} IS DISTINCT FROM ${eb.ref('excluded.pickNumber')}
                THEN ${eb.ref('excluded.dateModified')} ELSE ${eb.ref('draft_pick.dateModified')} END`,
            })),
          )
          .returning(['draft_pick.type', 'draft_pick.season', 'draft_pick.round', 'draft_pick.originalOwnerId', sql<boolean>`xmax = 0`.as('inserted')]),
      )
      .selectFrom('written')
      .innerJoin('source', (join) =>
        join
          .onRef('source.type', '=', 'written.type')
          .onRef('source.season', '=', 'written.season')
          .onRef('source.round', '=', 'written.round')
          .onRef('source.originalOwnerId', '=', 'written.originalOwnerId'),
      )
      .select([
        sql<number>`count(*)::integer`.as('written'),
        sql<number>`(count(*) FILTER (WHERE written.inserted))::integer`.as('inserted'),
        // A row another writer inserted after this snapshot counts as updated: it was not there to compare.
        sql<number>`(count(*) FILTER (WHERE NOT written.inserted AND (NOT source.existed OR source.changed)))::integer`.as('updated'),
        sql<number>`(count(*) FILTER (WHERE NOT written.inserted AND source.existed AND NOT source.changed))::integer`.as('unchanged'),
      ])
      .executeTakeFirst();
    if (counts === undefined || counts.written !== input.length) {
      // Never report as done what was not: roll the target back.
      throw new Error(`draft_pick upsert wrote ${counts?.written ?? 0} rows for ${input.length} picks; rolled back`);
    }
    return { inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged, duplicates: dropped.length };
  });
}

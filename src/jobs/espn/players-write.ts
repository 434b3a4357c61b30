/**
 * Applies a players SyncPlan to one target, set-based and in one transaction (§1.5, issue 8): the
 * whole plan travels as ONE jsonb parameter into a temporary table, then one UPDATE … FROM and one
 * INSERT … ON CONFLICT do the work. Five statements plus BEGIN/COMMIT, whatever the pool size; a
 * failure anywhere rolls the target back whole.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { OwnerDb } from '../../db/database.ts';
import type { OwnerDB } from '../../db/owner-contract.ts';
import type { JsonValue } from './espn-schemas.ts';
import type { EspnPlayer } from './espn-player.ts';
import type { SyncPlan } from './players-plan.ts';

export interface PlayerWriteOptions {
  /** The sync's clock: every timestamp written is this, never the database's. */
  readonly now: Date;
  /** ESPN_SYNC_OWNERSHIP: write majors' `leagueTeamId` from ESPN's rosters (§1.6). */
  readonly ownership: boolean;
}

export interface PlayerWriteCounts {
  /** Rows whose name, mlbTeam, playerDataId, meta (or owner, with ownership on) really changed. */
  readonly updated: number;
  /** New rows (conflict-updates are never counted here). */
  readonly inserted: number;
  /** Rows the sync saw whose values were already ESPN's: only `lastSyncedAt` moved. */
  readonly unchanged: number;
  /** Ambiguous ESPN entries, rows ESPN no longer has, updates the matcher left out (conflicts), planned rows that are gone. */
  readonly skipped: number;
  /** Majors whose owner differed from ESPN's roster before this write (written over with ownership on). */
  readonly ownersDiffering: number;
  /** ESPN fantasy team ids (onTeamId) that no `team` row has: those players' ownership is left alone. */
  readonly ownershipUnknownTeams: number[];
}

/** How a plan row is applied: an existing major, an existing minor leaguer (meta only), or a new major. */
type InputKind = 'major' | 'minor' | 'insert';

/** One row of the temporary table (and of the jsonb parameter that fills it). */
interface InputRow {
  readonly row_id: string | null;
  readonly kind: InputKind;
  readonly espn_id: number;
  readonly full_name: string | null;
  readonly mlb_team: string | null;
  readonly position: string | null;
  readonly raw: JsonValue;
  readonly claim: boolean;
  readonly status: string | null;
  readonly on_team_id: number | null;
}

const INPUT_TABLE = 'player_sync_input';

function inputRow(kind: InputKind, player: EspnPlayer, rowId: string | null, claim: boolean): InputRow {
  return {
    row_id: rowId,
    kind,
    espn_id: player.id,
    full_name: player.fullName ?? null,
    mlb_team: player.mlbTeam,
    position: player.position,
    raw: player.raw,
    claim,
    status: player.status ?? null,
    on_team_id: player.onTeamId ?? null,
  };
}

/** The plan as the rows of the temporary table. */
function inputRows(plan: SyncPlan): InputRow[] {
  return [
    ...plan.updates.map((update) => inputRow(update.minorLeaguer ? 'minor' : 'major', update.player, update.rowId, update.claim)),
    ...plan.inserts.map((player) => inputRow('insert', player, null, false)),
  ];
}

/** What the UPDATE's source computes for each existing row: the new values and what changed. */
interface UpdateSource {
  id: string;
  name: string;
  mlbTeam: string | null;
  playerDataId: number | null;
  meta: JsonValue;
  leagueTeamId: string | null;
  changed: boolean;
  ownerDiffers: boolean;
}

/** What the INSERT's source computes for each new major. */
interface InsertSource {
  id: string;
  name: string;
  mlbTeam: string | null;
  playerDataId: number;
  meta: JsonValue;
  leagueTeamId: string | null;
  /** The same (name, playerDataId) exists already and would change: a conflict-update that counts as updated. */
  conflictChanges: boolean;
}

/**
 * Writes the plan; see the module comment. Counts come from the statements themselves (RETURNING
 * aggregated in the same statement), so no row is ever queried on its own.
 */
export async function writePlayerSync(db: OwnerDb, plan: SyncPlan, options: PlayerWriteOptions): Promise<PlayerWriteCounts> {
  const rows = inputRows(plan);
  return db.transaction().execute(async (trx) => {
    const ownershipUnknownTeams = await loadInput(trx, rows);
    const updates = await updateExisting(trx, options);
    const inserts = await insertNew(trx, options);
    return {
      updated: updates.updated + inserts.conflictUpdated,
      inserted: inserts.inserted,
      unchanged: updates.seen - updates.updated + inserts.conflictUnchanged,
      skipped: plan.ambiguous.length + plan.missingFromEspn + plan.conflicts.length + (plan.updates.length - updates.seen),
      ownersDiffering: updates.ownersDiffering,
      ownershipUnknownTeams,
    };
  });
}

/**
 * Statements 1 and 2: the temporary table, filled from one jsonb parameter (no parameter limit,
 * one round trip), with each entry's ownership resolved against `team."espnId"` on the way in.
 * Returns the onTeamIds no team has (for majors and new majors: minor leaguers' owners are the sheet's).
 */
async function loadInput(trx: Transaction<OwnerDB>, rows: readonly InputRow[]): Promise<number[]> {
  await sql`CREATE TEMPORARY TABLE ${sql.table(INPUT_TABLE)} (
      row_id uuid, kind text NOT NULL, espn_id integer NOT NULL, full_name text, mlb_team text, position text,
      raw jsonb NOT NULL, claim boolean NOT NULL, status text, on_team_id integer,
      owner_known boolean NOT NULL, owner_team_id uuid
    ) ON COMMIT DROP`.execute(trx);
  const { rows: [result] } = await sql<{ unknownTeams: number[] }>`
    WITH loaded AS (
      INSERT INTO ${sql.table(INPUT_TABLE)} (row_id, kind, espn_id, full_name, mlb_team, position, raw, claim, status, on_team_id, owner_known, owner_team_id)
      SELECT r.row_id, r.kind, r.espn_id, r.full_name, r.mlb_team, r.position, r.raw, r.claim, r.status, r.on_team_id,
        CASE WHEN r.status IN ('FREEAGENT', 'WAIVERS') THEN true WHEN r.status = 'ONTEAM' THEN t.id IS NOT NULL ELSE false END,
        CASE WHEN r.status = 'ONTEAM' THEN t.id END
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(
        row_id uuid, kind text, espn_id integer, full_name text, mlb_team text, position text,
        raw jsonb, claim boolean, status text, on_team_id integer)
      LEFT JOIN team AS t ON r.status = 'ONTEAM' AND t."espnId" = r.on_team_id
      RETURNING kind, status, on_team_id, owner_known
    )
    SELECT coalesce(array_agg(DISTINCT on_team_id ORDER BY on_team_id)
      FILTER (WHERE kind <> 'minor' AND status = 'ONTEAM' AND on_team_id IS NOT NULL AND NOT owner_known), '{}') AS "unknownTeams"
    FROM loaded`.execute(trx);
  return result?.unknownTeams ?? [];
}

/**
 * Statement 3: one UPDATE … FROM for every existing row, majors and minor leaguers. The source
 * reads each row's current values (same snapshot), so "changed" is decided before writing:
 * `dateModified` moves only then, `lastSyncedAt` always. Minor leaguers get `meta.espnPlayer`
 * only (the sheet owns their name, team, position and owner, §1.6); `mlbTeam` keeps its value when
 * ESPN gives none (§1.5); `leagueTeamId` is not even named unless ownership is on.
 */
async function updateExisting(trx: Kysely<OwnerDB>, options: PlayerWriteOptions): Promise<{ seen: number; updated: number; ownersDiffering: number }> {
  const now = sql<Date>`${options.now}::timestamp(6)`;
  // Parenthesised: Kysely puts a raw CTE body after AS as it is.
  const source = sql<UpdateSource>`(
    SELECT n.*,
      (n.name IS DISTINCT FROM n.old_name OR n."mlbTeam" IS DISTINCT FROM n.old_mlb_team
        OR n."playerDataId" IS DISTINCT FROM n.old_player_data_id OR n.meta IS DISTINCT FROM n.old_meta
        OR n."leagueTeamId" IS DISTINCT FROM n.old_league_team_id) AS changed
    FROM (
      SELECT p.id,
        p.name AS old_name, p."mlbTeam" AS old_mlb_team, p."playerDataId" AS old_player_data_id, p.meta AS old_meta,
        p."leagueTeamId" AS old_league_team_id,
        CASE WHEN i.kind = 'minor' THEN p.name ELSE coalesce(i.full_name, p.name) END AS name,
        CASE WHEN i.kind = 'minor' THEN p."mlbTeam" ELSE coalesce(i.mlb_team, p."mlbTeam") END AS "mlbTeam",
        CASE WHEN i.claim THEN i.espn_id ELSE p."playerDataId" END AS "playerDataId",
        coalesce(p.meta, '{}'::jsonb) || CASE WHEN i.kind = 'minor' THEN jsonb_build_object('espnPlayer', i.raw)
          ELSE jsonb_build_object('espnPlayer', i.raw, 'position', i.position) END AS meta,
        CASE WHEN ${options.ownership}::boolean AND i.kind = 'major' AND i.owner_known THEN i.owner_team_id
          ELSE p."leagueTeamId" END AS "leagueTeamId",
        (i.kind = 'major' AND i.owner_known AND p."leagueTeamId" IS DISTINCT FROM i.owner_team_id) AS "ownerDiffers"
      FROM ${sql.table(INPUT_TABLE)} AS i
      JOIN player AS p ON p.id = i.row_id
      WHERE i.kind IN ('major', 'minor')
    ) AS n)`;
  const result = await trx
    .with('source', () => source)
    .with('written', (qc) =>
      qc
        .updateTable('player')
        .from('source')
        .set((eb) => ({
          name: eb.ref('source.name'),
          mlbTeam: eb.ref('source.mlbTeam'),
          playerDataId: eb.ref('source.playerDataId'),
          meta: eb.ref('source.meta'),
          ...(options.ownership ? { leagueTeamId: eb.ref('source.leagueTeamId') } : {}),
          lastSyncedAt: now,
          dateModified: sql<Date>`CASE WHEN ${eb.ref('source.changed')} THEN ${now} ELSE ${eb.ref('player.dateModified')} END`,
        }))
        .whereRef('player.id', '=', 'source.id')
        .returning(['source.changed', 'source.ownerDiffers']),
    )
    .selectFrom('written')
    .select([
      sql<number>`count(*)::integer`.as('seen'),
      sql<number>`(count(*) FILTER (WHERE changed))::integer`.as('updated'),
      sql<number>`(count(*) FILTER (WHERE "ownerDiffers"))::integer`.as('ownersDiffering'),
    ])
    .executeTakeFirstOrThrow();
  return result;
}

/**
 * Statement 4: one INSERT … ON CONFLICT (name, "playerDataId") for the new majors (ids made here,
 * `gen_random_uuid()`). The conflict path merges `meta` like an update and leaves ownership and
 * league alone; `xmax = 0` tells real inserts from conflict-updates, and whether a conflict-update
 * changed anything is decided from the row as it was (same snapshot).
 */
async function insertNew(trx: Kysely<OwnerDB>, options: PlayerWriteOptions): Promise<{ inserted: number; conflictUpdated: number; conflictUnchanged: number }> {
  const now = sql<Date>`${options.now}::timestamp(6)`;
  const source = sql<InsertSource>`(
    SELECT n.*,
      (e.id IS NOT NULL AND (e."mlbTeam" IS DISTINCT FROM coalesce(n."mlbTeam", e."mlbTeam")
        OR e.meta IS DISTINCT FROM coalesce(e.meta, '{}'::jsonb) || n.meta)) AS "conflictChanges"
    FROM (
      SELECT DISTINCT ON (i.espn_id) gen_random_uuid() AS id,
        coalesce(i.full_name, 'ESPN Player #' || i.espn_id) AS name,
        i.mlb_team AS "mlbTeam", i.espn_id AS "playerDataId",
        jsonb_build_object('espnPlayer', i.raw, 'position', i.position) AS meta,
        CASE WHEN ${options.ownership}::boolean AND i.owner_known THEN i.owner_team_id END AS "leagueTeamId"
      FROM ${sql.table(INPUT_TABLE)} AS i
      WHERE i.kind = 'insert'
      ORDER BY i.espn_id
    ) AS n
    LEFT JOIN player AS e ON e.name = n.name AND e."playerDataId" = n."playerDataId")`;
  const mergedMeta = sql<JsonValue>`coalesce(player.meta, '{}'::jsonb) || jsonb_build_object('espnPlayer', excluded.meta->'espnPlayer', 'position', excluded.meta->'position')`;
  const result = await trx
    .with('source', () => source)
    .with('written', (qc) =>
      qc
        .insertInto('player')
        .columns(['id', 'name', 'league', 'mlbTeam', 'playerDataId', 'meta', 'leagueTeamId', 'lastSyncedAt', 'dateCreated', 'dateModified'])
        .expression((eb) =>
          eb
            .selectFrom('source')
            .select([
              'source.id',
              'source.name',
              sql<'1'>`'1'::player_league_enum`.as('league'),
              'source.mlbTeam',
              'source.playerDataId',
              'source.meta',
              'source.leagueTeamId',
              now.as('lastSyncedAt'),
              now.as('dateCreated'),
              now.as('dateModified'),
            ]),
        )
        .onConflict((oc) =>
          oc.columns(['name', 'playerDataId']).doUpdateSet((eb) => ({
            meta: mergedMeta,
            mlbTeam: sql<string | null>`coalesce(${eb.ref('excluded.mlbTeam')}, ${eb.ref('player.mlbTeam')})`,
            lastSyncedAt: eb.ref('excluded.lastSyncedAt'),
            dateModified: sql<Date>`CASE WHEN ${eb.ref('player.mlbTeam')} IS DISTINCT FROM coalesce(${eb.ref('excluded.mlbTeam')}, ${eb.ref('player.mlbTeam')})
              OR ${eb.ref('player.meta')} IS DISTINCT FROM ${mergedMeta} THEN ${eb.ref('excluded.dateModified')} ELSE ${eb.ref('player.dateModified')} END`,
          })),
        )
        .returning(['player.name', 'player.playerDataId', sql<boolean>`xmax = 0`.as('inserted')]),
    )
    .selectFrom('written')
    .leftJoin('source', (join) => join.onRef('source.name', '=', 'written.name').onRef('source.playerDataId', '=', 'written.playerDataId'))
    .select([
      sql<number>`(count(*) FILTER (WHERE written.inserted))::integer`.as('inserted'),
      sql<number>`(count(*) FILTER (WHERE NOT written.inserted AND source."conflictChanges"))::integer`.as('conflictUpdated'),
      sql<number>`(count(*) FILTER (WHERE NOT written.inserted AND NOT source."conflictChanges"))::integer`.as('conflictUnchanged'),
    ])
    .executeTakeFirstOrThrow();
  return result;
}

/**
 * The minors sheet applied to one target (jobs-reference §2.4, issue 9), fixing every sync defect
 * of §2.6. One transaction per target, a fixed number of statements whatever the sheet's size:
 *
 * 1. the owner map (`user."csvName"` → team, case and whitespace normalised);
 * 2. every league '2' row, ordered by id, locked FOR UPDATE (no other writer moves them under the plan);
 * then, in TS, the pure planner `planMinorsSync` and the guards (minors-guards.ts): a failed guard
 * throws, the transaction rolls back, nothing is written;
 * 3. the temporary table, filled from ONE jsonb parameter (ON COMMIT DROP);
 * 4. one UPDATE … FROM for the matched rows, changes decided with IS DISTINCT FROM (dateModified
 *    moves only then, lastSyncedAt always);
 * 5. one INSERT for the new rows (league '2', lastSyncedAt set: §2.6 had it NULL);
 * 6. one UPDATE un-owning the owned rows that left the sheet (never a DELETE).
 * Counts come from what statements 4–6 returned, never from the plan.
 */
import { sql, type QueryExecutorProvider } from 'kysely';
import type { OwnerDb } from '../../db/database.ts';
import { checkMinorsSheet, checkUnownCap, minorsGuardError, type MinorsGuardSettings } from './minors-guards.ts';
import type { MinorSheetPlayer, MinorsSheet } from './minors-parse.ts';
import { loadOwnerMap } from './sheet-owners.ts';

/** What the sheet last wrote into a row's `meta.minorLeaguePlayerFromSheet` (fields the previous worker may have left out). */
export interface SheetMeta {
  readonly name?: string;
  readonly leagueLevel?: string;
  readonly mlbTeam?: string;
  readonly position?: string;
}

/** A league '2' row as the planner needs it. */
export interface MinorRow {
  readonly id: string;
  readonly name: string;
  readonly mlbTeam: string | null;
  readonly leagueTeamId: string | null;
  /** `meta.minorLeaguePlayerFromSheet`, when the row has one. */
  readonly sheet: SheetMeta | undefined;
  /** `meta.position`. */
  readonly position: string | undefined;
}

/** How a sheet player found its row (for tests and logs). */
export type MatchedBy = 'meta' | 'fallback' | 'namePosition';

export interface PlannedUpdate {
  readonly rowId: string;
  readonly player: MinorSheetPlayer;
  readonly teamId: string;
  readonly matchedBy: MatchedBy;
}

export interface PlannedInsert {
  readonly player: MinorSheetPlayer;
  readonly teamId: string;
}

export interface MinorsPlan {
  readonly updates: PlannedUpdate[];
  readonly inserts: PlannedInsert[];
  /** Owned rows that left the sheet, of teams the sheet lists under a resolved owner: un-owned. */
  readonly clears: string[];
  /** Sheet players whose owner resolves to no team: nothing written for them; their rows (if matched) are kept as they are. */
  readonly skippedNoOwner: MinorSheetPlayer[];
  /** Owner names of the sheet's headers that resolve to no team, in sheet order, each once. */
  readonly unknownOwners: string[];
  /** A second listing of the same player (name, level, team, position) under another owner: ignored. */
  readonly duplicates: MinorSheetPlayer[];
  /** Rows with an owner before the run. */
  readonly currentlyOwned: number;
  /** Owned rows not on the sheet but kept owned, because their team has no resolved owner on the sheet. */
  readonly keptUnlisted: number;
}

export interface PlanOptions {
  /** The team of a sheet owner name, or undefined (unknown, blank or ambiguous). */
  readonly teamOf: (csvName: string) => string | undefined;
  /**
   * The owner names of the sheet's headers (an owner listing no player is still listed: his
   * minors that left the sheet are un-owned). Default: the players' owners.
   */
  readonly ownerNames?: readonly string[];
}

const lower = (value: string | null | undefined): string => (value ?? '').trim().toLowerCase();

/** The §2.4 meta key of a sheet player: lower(name, level, team, position). */
function playerMetaKey(player: MinorSheetPlayer): string {
  return [player.name, player.leagueLevel, player.mlbTeam, player.position].map(lower).join('|');
}

/** The §2.4 meta key of a row that carries `minorLeaguePlayerFromSheet` (its name, else the row's). */
function rowMetaKey(row: MinorRow): string | undefined {
  if (row.sheet === undefined) return undefined;
  return [row.sheet.name ?? row.name, row.sheet.leagueLevel, row.sheet.mlbTeam, row.sheet.position].map(lower).join('|');
}

/** Appends to a multimap. */
function add<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Matches the sheet to the rows (pure, deterministic: sheet order, rows by id). Three phases, each
 * over the sheet players still unmatched, each row matched at most once:
 *
 * 1. meta key (§2.4): lower(sheet name or row name, level, team, position) = the player's;
 * 2. fallback (§2.4): lower(row name, row mlbTeam) = lower(name, team): accepts a level or position change;
 * 3. name + position: lower(name) and position, when exactly one unmatched sheet player and exactly
 *    one unmatched row share them. This catches a player who changed MLB team (with or without a
 *    level change), which §2.6 turned into a duplicate insert. A namesake at the same position on
 *    both sides is never guessed: it falls through to an insert.
 *
 * Before matching, a second listing of the same player (identical meta key, under another owner)
 * is set aside as a duplicate, so duplicate sheet rows can neither insert twice nor take two rows.
 * Players of unresolved owners take part in matching, so their rows count as seen (never un-owned)
 * but get no write.
 */
export function planMinorsSync(sheetPlayers: readonly MinorSheetPlayer[], rows: readonly MinorRow[], options: PlanOptions): MinorsPlan {
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const duplicates: MinorSheetPlayer[] = [];
  const players: MinorSheetPlayer[] = [];
  const listed = new Set<string>();
  for (const player of sheetPlayers) {
    const key = playerMetaKey(player);
    if (listed.has(key)) duplicates.push(player);
    else {
      listed.add(key);
      players.push(player);
    }
  }

  const matchOf: (MinorRow | undefined)[] = new Array<MinorRow | undefined>(players.length).fill(undefined);
  const how: (MatchedBy | undefined)[] = new Array<MatchedBy | undefined>(players.length).fill(undefined);
  const claimed = new Set<string>();
  const claim = (index: number, row: MinorRow, by: MatchedBy) => {
    matchOf[index] = row;
    how[index] = by;
    claimed.add(row.id);
  };
  const firstFree = (candidates: readonly MinorRow[] | undefined) => candidates?.find((row) => !claimed.has(row.id));

  // Phase 1: meta key.
  const metaIndex = new Map<string, MinorRow[]>();
  for (const row of sorted) {
    const key = rowMetaKey(row);
    if (key !== undefined) add(metaIndex, key, row);
  }
  players.forEach((player, index) => {
    const row = firstFree(metaIndex.get(playerMetaKey(player)));
    if (row) claim(index, row, 'meta');
  });

  // Phase 2: fallback (name, MLB team).
  const fallbackIndex = new Map<string, MinorRow[]>();
  for (const row of sorted) add(fallbackIndex, `${lower(row.name)}|${lower(row.mlbTeam)}`, row);
  players.forEach((player, index) => {
    if (matchOf[index] !== undefined) return;
    const row = firstFree(fallbackIndex.get(`${lower(player.name)}|${lower(player.mlbTeam)}`));
    if (row) claim(index, row, 'fallback');
  });

  // Phase 3: name + position, one to one only.
  const namePositionOfRow = (row: MinorRow) => `${lower(row.sheet?.name ?? row.name)}|${lower(row.sheet?.position ?? row.position)}`;
  const namePositionOfPlayer = (player: MinorSheetPlayer) => `${lower(player.name)}|${lower(player.position)}`;
  const freeRows = new Map<string, MinorRow[]>();
  for (const row of sorted) if (!claimed.has(row.id)) add(freeRows, namePositionOfRow(row), row);
  const waiting = new Map<string, number[]>();
  players.forEach((player, index) => {
    if (matchOf[index] === undefined) add(waiting, namePositionOfPlayer(player), index);
  });
  for (const [key, indexes] of waiting) {
    const candidates = freeRows.get(key);
    const [index] = indexes;
    const [row] = candidates ?? [];
    if (indexes.length === 1 && candidates?.length === 1 && index !== undefined && row !== undefined) claim(index, row, 'namePosition');
  }

  const updates: PlannedUpdate[] = [];
  const inserts: PlannedInsert[] = [];
  const skippedNoOwner: MinorSheetPlayer[] = [];
  const seen = new Set<string>();
  players.forEach((player, index) => {
    const row = matchOf[index];
    const by = how[index];
    if (row) seen.add(row.id);
    const teamId = options.teamOf(player.ownerCsvName);
    if (teamId === undefined) skippedNoOwner.push(player);
    else if (row && by) updates.push({ rowId: row.id, player, teamId, matchedBy: by });
    else inserts.push({ player, teamId });
  });

  const ownerNames = options.ownerNames ?? sheetPlayers.map((player) => player.ownerCsvName);
  const listedTeams = new Set<string>();
  const unknownOwners: string[] = [];
  for (const name of ownerNames) {
    const teamId = options.teamOf(name);
    if (teamId !== undefined) listedTeams.add(teamId);
    else if (!unknownOwners.includes(name)) unknownOwners.push(name);
  }

  const clears: string[] = [];
  let currentlyOwned = 0;
  let keptUnlisted = 0;
  for (const row of sorted) {
    if (row.leagueTeamId === null) continue;
    currentlyOwned += 1;
    if (seen.has(row.id)) continue;
    if (listedTeams.has(row.leagueTeamId)) clears.push(row.id);
    else keptUnlisted += 1;
  }

  return { updates, inserts, clears, skippedNoOwner, unknownOwners, duplicates, currentlyOwned, keptUnlisted };
}

/** What one target's write really did. */
export interface MinorsWriteCounts {
  /** Rows the UPDATE reached (changed + unchanged). */
  readonly matched: number;
  /** Of those, rows whose name, mlbTeam, meta or owner really changed. */
  readonly changed: number;
  readonly unchanged: number;
  readonly inserted: number;
  /** Owned rows un-owned because they left the sheet. */
  readonly cleared: number;
  /** Sheet players whose owner resolves to no team. */
  readonly skippedNoOwner: number;
}

export interface MinorsTargetResult {
  readonly counts: MinorsWriteCounts;
  readonly plan: MinorsPlan;
}

export interface MinorsWriteOptions {
  /** The run's clock: every timestamp written is this. */
  readonly now: Date;
  readonly guards: MinorsGuardSettings;
  /** For the guard error's message. */
  readonly targetName: string;
}

/**
 * Loads, plans, guards and writes one target, all in one transaction (see the module comment).
 * Throws the guards' PermanentJobError (nothing written) or the database's error (rolled back).
 */
export async function syncMinorsTarget(db: OwnerDb, sheet: MinorsSheet, options: MinorsWriteOptions): Promise<MinorsTargetResult> {
  const sheetProblems = checkMinorsSheet(sheet, options.guards);
  if (sheetProblems.length > 0) throw minorsGuardError(options.targetName, sheetProblems);
  return db.transaction().execute(async (trx) => {
    const owners = await loadOwnerMap(trx);
    const rows = await loadMinorRows(trx);
    const plan = planMinorsSync(sheet.players, rows, { teamOf: owners.teamOf, ownerNames: sheet.owners.map((owner) => owner.csvName) });
    const cap = checkUnownCap(plan.clears.length, plan.currentlyOwned, options.guards.minorsUnownMaxShare);
    if (cap !== undefined) throw minorsGuardError(options.targetName, [cap]);
    const counts = await writeMinorsPlan(trx, plan, options.now);
    return { counts, plan };
  });
}

/** Statement 2: every league '2' row, by id, locked until the transaction ends (raw SQL: any Kysely or transaction runs it). */
export async function loadMinorRows(db: QueryExecutorProvider): Promise<MinorRow[]> {
  const { rows } = await sql<{ id: string; name: string; mlbTeam: string | null; leagueTeamId: string | null; sheet: unknown; position: unknown }>`
    SELECT id, name, "mlbTeam", "leagueTeamId", meta->'minorLeaguePlayerFromSheet' AS sheet, meta->'position' AS position
    FROM player WHERE league = '2' ORDER BY id FOR UPDATE`.execute(db);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    mlbTeam: row.mlbTeam,
    leagueTeamId: row.leagueTeamId,
    sheet: sheetMetaOf(row.sheet),
    position: typeof row.position === 'string' ? row.position : undefined,
  }));
}

/** `meta.minorLeaguePlayerFromSheet` read defensively: only string fields count, anything else is absent. */
function sheetMetaOf(value: unknown): SheetMeta | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === 'string' ? record[key] : undefined);
  return { name: text('name'), leagueLevel: text('leagueLevel'), mlbTeam: text('mlbTeam'), position: text('position') };
}

/** One row of the temporary table (and of the jsonb parameter that fills it). */
interface InputRow {
  readonly ord: number;
  readonly kind: 'update' | 'insert' | 'clear';
  readonly row_id: string | null;
  readonly name: string | null;
  readonly level: string | null;
  readonly position: string | null;
  readonly sheet_team: string | null;
  readonly team_id: string | null;
}

const INPUT_TABLE = 'minors_sync_input';

function inputRows(plan: MinorsPlan): InputRow[] {
  const rows: InputRow[] = [];
  const fromPlayer = (player: MinorSheetPlayer) => ({ name: player.name, level: player.leagueLevel, position: player.position, sheet_team: player.mlbTeam });
  for (const update of plan.updates) rows.push({ ord: rows.length, kind: 'update', row_id: update.rowId, ...fromPlayer(update.player), team_id: update.teamId });
  for (const insert of plan.inserts) rows.push({ ord: rows.length, kind: 'insert', row_id: null, ...fromPlayer(insert.player), team_id: insert.teamId });
  for (const id of plan.clears) rows.push({ ord: rows.length, kind: 'clear', row_id: id, name: null, level: null, position: null, sheet_team: null, team_id: null });
  return rows;
}

/** Statements 3–6 (see the module comment), inside the caller's transaction. */
export async function writeMinorsPlan(trx: QueryExecutorProvider, plan: MinorsPlan, now: Date): Promise<MinorsWriteCounts> {
  const at = sql<Date>`${now}::timestamp(6)`;
  await sql`CREATE TEMPORARY TABLE ${sql.table(INPUT_TABLE)} (
      ord integer NOT NULL, kind text NOT NULL, row_id uuid, name text, level text, position text, sheet_team text, team_id uuid
    ) ON COMMIT DROP`.execute(trx);
  await sql`INSERT INTO ${sql.table(INPUT_TABLE)} (ord, kind, row_id, name, level, position, sheet_team, team_id)
    SELECT r.ord, r.kind, r.row_id, r.name, r.level, r.position, r.sheet_team, r.team_id
    FROM jsonb_to_recordset(${JSON.stringify(inputRows(plan))}::jsonb)
      AS r(ord integer, kind text, row_id uuid, name text, level text, position text, sheet_team text, team_id uuid)`.execute(trx);

  // The sheet's values as the row's meta carries them; mlbTeam keeps the row's when the sheet shows none.
  const sheetMeta = sql`jsonb_build_object('minorLeaguePlayerFromSheet',
      jsonb_build_object('name', i.name, 'position', i.position, 'leagueLevel', i.level, 'mlbTeam', i.sheet_team), 'position', i.position)`;

  const { rows: [updated] } = await sql<{ matched: number; changed: number }>`
    WITH source AS (
      SELECT n.*, (n.name IS DISTINCT FROM n.old_name OR n."mlbTeam" IS DISTINCT FROM n.old_mlb_team
          OR n.meta IS DISTINCT FROM n.old_meta OR n."leagueTeamId" IS DISTINCT FROM n.old_league_team_id) AS changed
      FROM (
        SELECT p.id, p.name AS old_name, p."mlbTeam" AS old_mlb_team, p.meta AS old_meta, p."leagueTeamId" AS old_league_team_id,
          i.name, coalesce(nullif(i.sheet_team, ''), p."mlbTeam") AS "mlbTeam",
          coalesce(p.meta, '{}'::jsonb) || ${sheetMeta} AS meta,
          i.team_id AS "leagueTeamId"
        FROM ${sql.table(INPUT_TABLE)} AS i
        JOIN player AS p ON p.id = i.row_id AND p.league = '2'
        WHERE i.kind = 'update'
      ) AS n
    ), written AS (
      UPDATE player SET name = s.name, "mlbTeam" = s."mlbTeam", meta = s.meta, "leagueTeamId" = s."leagueTeamId",
        "lastSyncedAt" = ${at},
        "dateModified" = CASE WHEN s.changed THEN ${at} ELSE player."dateModified" END
      FROM source AS s
      WHERE player.id = s.id
      RETURNING s.changed
    )
    SELECT count(*)::integer AS matched, (count(*) FILTER (WHERE changed))::integer AS changed FROM written`.execute(trx);

  const { rows: [inserted] } = await sql<{ inserted: number }>`
    WITH written AS (
      INSERT INTO player (id, name, league, "mlbTeam", "playerDataId", meta, "leagueTeamId", "lastSyncedAt", "dateCreated", "dateModified")
      SELECT gen_random_uuid(), i.name, '2'::player_league_enum, nullif(i.sheet_team, ''), NULL, ${sheetMeta}, i.team_id, ${at}, ${at}, ${at}
      FROM ${sql.table(INPUT_TABLE)} AS i
      WHERE i.kind = 'insert'
      ORDER BY i.ord
      RETURNING 1
    )
    SELECT count(*)::integer AS inserted FROM written`.execute(trx);

  // Un-owning is a change: dateModified moves; lastSyncedAt does not (the sheet no longer lists the row).
  const { rows: [cleared] } = await sql<{ cleared: number }>`
    WITH written AS (
      UPDATE player SET "leagueTeamId" = NULL, "dateModified" = ${at}
      FROM ${sql.table(INPUT_TABLE)} AS i
      WHERE i.kind = 'clear' AND player.id = i.row_id AND player.league = '2' AND player."leagueTeamId" IS NOT NULL
      RETURNING 1
    )
    SELECT count(*)::integer AS cleared FROM written`.execute(trx);

  const matched = updated?.matched ?? 0;
  const changed = updated?.changed ?? 0;
  return {
    matched,
    changed,
    unchanged: matched - changed,
    inserted: inserted?.inserted ?? 0,
    cleared: cleared?.cleared ?? 0,
    skippedNoOwner: plan.skippedNoOwner.length,
  };
}


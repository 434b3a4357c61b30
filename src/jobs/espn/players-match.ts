/**
 * The players sync's matcher: ESPN's pool and the owner's player rows in, the plan out. Pure (no I/O,
 * no clock) and deterministic: the same rows and entries give the same plan in whatever order they come.
 *
 * Rules, in order (../shared/jobs-reference.md §1.4, with the §1.7 defects fixed):
 * 0. ESPN entries are deduplicated by id; of several differing entries with one id, the one whose raw
 *    JSON (keys sorted) is smallest is kept, a choice no input order can change.
 * 1. By ESPN id (matchByEspnId): the lowest row id of a shared id is updated, the group is reported.
 * 2. By name for unclaimed majors (matchByName): ownership, unique name (unless the MLB teams disagree),
 *    MLB team, position, applied from both sides.
 * 3. An entry with same-name candidate rows left but none chosen is ambiguous, not inserted; one with
 *    none is inserted.
 * Updates that would collide on the unique `(name, "playerDataId")` pair are reported as conflicts.
 * Every list of the plan is sorted: updates and conflicts by row id, the rest by ESPN id.
 */
import type { EspnPlayer } from './espn-player.ts';
import { matchByEspnId, matchByName } from './players-match-phases.ts';
import type { PlannedUpdate, PlayerRow, SyncPlan, UpdateConflict } from './players-plan.ts';

/** Decides what the sync writes for one target; the writer only executes it. */
export function planPlayerSync(espn: readonly EspnPlayer[], rows: readonly PlayerRow[]): SyncPlan {
  const pool = dedupById(espn);
  const sortedRows = [...rows].sort((a, b) => compare(a.id, b.id));

  const phaseOne = matchByEspnId(pool, sortedRows);
  const unclaimedMajors = sortedRows.filter((row) => row.league === '1' && row.playerDataId === null);
  const remaining = [...pool.values()].filter((entry) => !phaseOne.matchedEspnIds.has(entry.id));
  const phaseTwo = matchByName(unclaimedMajors, remaining);

  const { writable, conflicts } = withoutConflicts([...phaseOne.updates, ...phaseTwo.claims], sortedRows);
  const notInserted = new Set([...phaseTwo.claims, ...phaseTwo.ambiguous].map((m) => m.player.id));
  return {
    updates: writable.sort((a, b) => compare(a.rowId, b.rowId)),
    inserts: remaining.filter((entry) => !notInserted.has(entry.id)),
    ambiguous: phaseTwo.ambiguous
      .map(({ player, candidateRowIds }) => ({ espnId: player.id, name: player.fullName, candidateRowIds }))
      .sort((a, b) => a.espnId - b.espnId),
    duplicateEspnIds: phaseOne.duplicateEspnIds,
    missingFromEspn: phaseOne.missingFromEspn,
    conflicts: conflicts.sort((a, b) => compare(a.rowId, b.rowId)),
  };
}

/** The name a row gets from an update, or an insert from its entry: the same rule as the writer's. */
export function nameFor(player: EspnPlayer, row?: PlayerRow): string {
  return player.fullName ?? row?.name ?? `ESPN Player #${player.id}`;
}

/** The pool by id, in ascending id order; duplicates resolved by the smallest canonical JSON. */
function dedupById(espn: readonly EspnPlayer[]): Map<number, EspnPlayer> {
  const byId = new Map<number, EspnPlayer>();
  for (const entry of espn) {
    const kept = byId.get(entry.id);
    if (!kept || compare(canonicalJson(entry.raw), canonicalJson(kept.raw)) < 0) byId.set(entry.id, entry);
  }
  return new Map([...byId].sort(([a], [b]) => a - b));
}

/**
 * Leaves out updates that would set a row's `(name, playerDataId)` to the pair another row holds.
 * Rows that keep an ESPN id never lose it, and no two updates share an ESPN id, so checking against
 * the pairs held now is enough. Minor leaguers keep their name, so they cannot collide.
 */
function withoutConflicts(updates: readonly PlannedUpdate[], rows: readonly PlayerRow[]): { writable: PlannedUpdate[]; conflicts: UpdateConflict[] } {
  const rowsById = new Map(rows.map((row) => [row.id, row]));
  const holders = new Map<string, string>();
  for (const row of rows) if (row.playerDataId !== null) holders.set(pairKey(row.name, row.playerDataId), row.id);
  const writable: PlannedUpdate[] = [];
  const conflicts: UpdateConflict[] = [];
  for (const update of updates) {
    const name = update.minorLeaguer ? undefined : nameFor(update.player, rowsById.get(update.rowId));
    const holder = name === undefined ? undefined : holders.get(pairKey(name, update.player.id));
    if (name !== undefined && holder !== undefined && holder !== update.rowId) {
      conflicts.push({ rowId: update.rowId, espnId: update.player.id, name, heldByRowId: holder });
    } else {
      writable.push(update);
    }
  }
  return { writable, conflicts };
}

function pairKey(name: string, espnId: number): string {
  return `${espnId}\u0000${name}`;
}

/** Code-unit order, the same on every machine (localeCompare is not). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted, so two equal entries serialize equally whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => compare(a, b)))
      : v,
  );
}

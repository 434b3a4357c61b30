/**
 * The matching phases of the players sync (../shared/jobs-reference.md §1.4, fixed as §1.7 asks).
 * Every function here expects its inputs already sorted (rows by id, ESPN entries by id) and
 * returns its results in that order, so the plan never depends on the order the database or
 * ESPN handed things over.
 */
import type { EspnPlayer } from './espn-player.ts';
import type { DuplicateEspnId, PlannedUpdate, PlayerRow } from './players-plan.ts';

export interface PhaseOneResult {
  readonly updates: PlannedUpdate[];
  readonly duplicateEspnIds: DuplicateEspnId[];
  /** Rows with a playerDataId the pool does not have. */
  readonly missingFromEspn: number;
  /** ESPN ids claimed by some row, so phase 2 leaves them alone. */
  readonly matchedEspnIds: ReadonlySet<number>;
}

/**
 * Phase 1, by ESPN id, for rows of any league. Rows sharing one id are reported and only the lowest
 * id is updated: updating them all is what produced the repeated unique violations (§1.7).
 */
export function matchByEspnId(pool: ReadonlyMap<number, EspnPlayer>, rows: readonly PlayerRow[]): PhaseOneResult {
  const byEspnId = new Map<number, PlayerRow[]>();
  for (const row of rows) {
    if (row.playerDataId === null) continue;
    const group = byEspnId.get(row.playerDataId);
    if (group) group.push(row);
    else byEspnId.set(row.playerDataId, [row]);
  }
  const updates: PlannedUpdate[] = [];
  const duplicateEspnIds: DuplicateEspnId[] = [];
  const matchedEspnIds = new Set<number>();
  let missingFromEspn = 0;
  for (const [espnId, group] of [...byEspnId].sort(([a], [b]) => a - b)) {
    const player = pool.get(espnId);
    if (!player) {
      missingFromEspn += group.length;
      continue;
    }
    const [chosen] = group as [PlayerRow, ...PlayerRow[]]; // rows come sorted by id: the lowest is first
    matchedEspnIds.add(espnId);
    // A minor leaguer's name, team and position belong to the sheet; ESPN only refreshes meta.espnPlayer (§1.6).
    updates.push({ rowId: chosen.id, player, claim: false, minorLeaguer: chosen.league === '2' });
    if (group.length > 1) duplicateEspnIds.push({ espnId, rowIds: group.map((row) => row.id), updatedRowId: chosen.id });
  }
  return { updates, duplicateEspnIds, missingFromEspn, matchedEspnIds };
}

/** How one side narrows its same-name candidates on the other side (§1.4 steps 2a–2c). */
interface Narrowing<T> {
  /** Candidates on the same fantasy team, when this side's owner is known. */
  readonly owned: ((candidate: T) => boolean) | undefined;
  /** Candidates on the same MLB team, when this side's team is known. */
  readonly sameTeam: ((candidate: T) => boolean) | undefined;
  /** Candidates at the same default position, when this side's position is known. */
  readonly samePosition: ((candidate: T) => boolean) | undefined;
  /** Both MLB teams known and different: this is someone else with the same name. */
  readonly contradicts: (candidate: T) => boolean;
}

/** The one candidate the narrowing singles out, or undefined when it cannot decide. */
function choose<T>(candidates: readonly T[], narrowing: Narrowing<T>): T | undefined {
  if (narrowing.owned) {
    const owned = candidates.filter(narrowing.owned);
    if (owned.length === 1) return owned[0];
  }
  if (candidates.length === 1) {
    const [only] = candidates as [T];
    // The "Will Smith" defect (§1.7): a unique name is not enough when the MLB teams disagree.
    return narrowing.contradicts(only) ? undefined : only;
  }
  let remaining = candidates;
  if (narrowing.sameTeam) {
    remaining = remaining.filter(narrowing.sameTeam);
    if (remaining.length <= 1) return remaining[0];
  }
  if (narrowing.samePosition) {
    remaining = remaining.filter(narrowing.samePosition);
    if (remaining.length === 1) return remaining[0];
  }
  return undefined;
}

/** Stored teams are compared as ESPN's are: upper-case abbreviations. */
function teamOf(row: PlayerRow): string | null {
  return row.mlbTeam?.trim().toUpperCase() || null;
}

function contradicts(row: PlayerRow, entry: EspnPlayer): boolean {
  const team = teamOf(row);
  return team !== null && entry.mlbTeam !== null && team !== entry.mlbTeam;
}

function entriesFor(row: PlayerRow): Narrowing<EspnPlayer> {
  const team = teamOf(row);
  const owner = row.ownerEspnId;
  const position = row.defaultPositionId;
  return {
    owned: owner === null ? undefined : (entry) => entry.status === 'ONTEAM' && entry.onTeamId === owner,
    sameTeam: team === null ? undefined : (entry) => entry.mlbTeam === team,
    samePosition: position === null ? undefined : (entry) => entry.defaultPositionId === position,
    contradicts: (entry) => contradicts(row, entry),
  };
}

function rowsFor(entry: EspnPlayer): Narrowing<PlayerRow> {
  const owner = entry.status === 'ONTEAM' ? entry.onTeamId : undefined;
  const team = entry.mlbTeam;
  const position = entry.defaultPositionId;
  return {
    owned: owner === undefined ? undefined : (row) => row.ownerEspnId === owner,
    sameTeam: team === null ? undefined : (row) => teamOf(row) === team,
    samePosition: position === undefined ? undefined : (row) => row.defaultPositionId === position,
    contradicts: (row) => contradicts(row, entry),
  };
}

export interface PhaseTwoResult {
  readonly claims: PlannedUpdate[];
  /** ESPN entries left with same-name candidate rows none of which could be chosen. */
  readonly ambiguous: { readonly player: EspnPlayer; readonly candidateRowIds: string[] }[];
}

/**
 * Phase 2, by name, for unclaimed majors. Every step needs the exact name, so each name is matched
 * on its own. A pair is taken only when the row singles out the entry AND the entry singles out the
 * row (the same steps from both sides), so two same-name rows never compete by database order.
 * Pairs found in one round are taken together, then the rest try again without them, until a round
 * takes nothing: that is how a claimed entry stops being a candidate, without any order mattering.
 */
export function matchByName(rows: readonly PlayerRow[], entries: readonly EspnPlayer[]): PhaseTwoResult {
  const rowsByName = groupBy(rows, (row) => row.name);
  const claims: PlannedUpdate[] = [];
  const ambiguous: PhaseTwoResult['ambiguous'] = [];
  for (const [name, sameName] of groupBy(entries, (entry) => entry.fullName)) {
    let openRows = rowsByName.get(name) ?? [];
    let openEntries = sameName;
    for (;;) {
      const taken = new Map<EspnPlayer, PlayerRow>();
      for (const row of openRows) {
        const entry = choose(openEntries, entriesFor(row));
        if (entry && choose(openRows, rowsFor(entry)) === row) taken.set(entry, row);
      }
      if (taken.size === 0) break;
      for (const [player, row] of taken) claims.push({ rowId: row.id, player, claim: true, minorLeaguer: false });
      const takenRows = new Set(taken.values());
      openRows = openRows.filter((row) => !takenRows.has(row));
      openEntries = openEntries.filter((entry) => !taken.has(entry));
    }
    if (openRows.length > 0) {
      for (const player of openEntries) ambiguous.push({ player, candidateRowIds: openRows.map((row) => row.id) });
    }
  }
  return { claims, ambiguous };
}

/** Groups by a key, keeping input order inside each group; undefined keys are left out (nameless entries match nobody). */
function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

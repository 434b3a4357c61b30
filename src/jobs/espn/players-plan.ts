/**
 * What the players sync decides for one target before it writes anything: the contract between
 * the matcher (players-match.ts, pure) and the writer (players-write.ts, set-based SQL).
 */
import type { EspnPlayer } from './espn-player.ts';

/** A `player` row as matching needs it (no `meta` but the one path the position step reads). */
export interface PlayerRow {
  readonly id: string;
  readonly name: string;
  /** '1' majors, '2' minors. */
  readonly league: '1' | '2' | null;
  readonly mlbTeam: string | null;
  readonly playerDataId: number | null;
  readonly leagueTeamId: string | null;
  /** `team."espnId"` of the owning team (leagueTeamId), when it has one. */
  readonly ownerEspnId: number | null;
  /** `meta.espnPlayer.player.defaultPositionId`, for the position tie-break. */
  readonly defaultPositionId: number | null;
}

/** An existing row to refresh from an ESPN entry. */
export interface PlannedUpdate {
  readonly rowId: string;
  readonly player: EspnPlayer;
  /** True when matched by name (phase 2): the update also sets `playerDataId` to the ESPN id. */
  readonly claim: boolean;
  /** The row is a minor leaguer (league '2'): refresh `meta.espnPlayer` only; the sheet owns name, team, position. */
  readonly minorLeaguer: boolean;
}

/** An ESPN entry no row could be matched to, however hard it was tried. */
export interface AmbiguousPlayer {
  readonly espnId: number;
  readonly name: string | undefined;
  /** The rows it could have been; none is chosen, and nothing is inserted. */
  readonly candidateRowIds: readonly string[];
}

/** Several rows claim one ESPN id: one is updated (the lowest id), the others reported. */
export interface DuplicateEspnId {
  readonly espnId: number;
  readonly rowIds: readonly string[];
  readonly updatedRowId: string;
}

export interface SyncPlan {
  readonly updates: readonly PlannedUpdate[];
  /** New majors (league '1'). */
  readonly inserts: readonly EspnPlayer[];
  readonly ambiguous: readonly AmbiguousPlayer[];
  readonly duplicateEspnIds: readonly DuplicateEspnId[];
  /** Rows with a playerDataId that ESPN's pool does not have (retired, or gone): left alone. */
  readonly missingFromEspn: number;
  /** Matched updates left out because of the unique `(name, "playerDataId")` pair (see UpdateConflict). */
  readonly conflicts: readonly UpdateConflict[];
}

/**
 * An update the matcher did not plan because it would give the row the `(name, "playerDataId")` pair
 * another row already holds (the unique constraint): planning it would fail the writer's statement.
 * Only renames in a duplicate-ESPN-id group can get here; the rows need a human to merge them.
 */
export interface UpdateConflict {
  readonly rowId: string;
  readonly espnId: number;
  /** The name the update would have set. */
  readonly name: string;
  /** The row already holding `(name, espnId)`. */
  readonly heldByRowId: string;
}

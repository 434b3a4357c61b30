/**
 * The guards a parsed draft-picks sheet must pass before anything is written (issue 9), and the resolution of its
 * owner names to teams. Pure: the owner map is read by the caller.
 *
 * The run FAILS (nothing written, for any target) when:
 * - the parser reported any error-severity problem (a group without its 15 pick rows, a block without an owner
 *   name, a stray row, a round label contradicting its row's position, no or too few owner groups…);
 * - the owner headers found (non-empty block headers over all groups) are not `expectedOwners`;
 * - the sheet lists fewer picks than `minShare` × 300 (a mostly cleared sheet).
 *
 * An owner name that matches no `user."csvName"` (or matches several users holding different teams) does NOT fail
 * the run: every pick naming it, as original owner or as the block header (current owner), is skipped and reported
 * (`skipped_no_owner`, a warning), and the rest is written. Decision for an unknown HEADER owner: the whole block is
 * skipped rather than the run failed. Nothing wrong is written that way: a pick is only written when both its
 * original and its current owner resolve, and skipped picks keep their last database state (the sync never clears,
 * §3.5). One renamed owner therefore delays that owner's picks, not the other nineteen owners' trades, and the run's
 * metadata names the unknown names so someone fixes the csvName.
 */
import type { DraftPicksSheet, SheetPick } from './draft-picks-parse.ts';
import { blocksPerRow, columnsPerBlock, groupsPerSheet, pickRowsPerGroup } from './draft-picks-parse.ts';
import { normaliseOwnerName, type OwnerMap } from './sheet-owners.ts';
import type { SheetProblem } from './sheet-problems.ts';

/** Picks on a sheet where nothing is cleared: 4 groups × 5 blocks × 15 rows (§3.3). */
export const fullDraftPicksSheet = groupsPerSheet * blocksPerRow * pickRowsPerGroup;

export interface DraftPicksGuardSettings {
  /** SHEETS_EXPECTED_OWNERS: owner headers the sheet must show (20 = 4 groups of 5). */
  readonly expectedOwners: number;
  /** DRAFT_PICKS_MIN_SHARE: smallest share of the 300 picks the sheet must list. */
  readonly minShare: number;
}

/** A sheet pick whose two owners resolved to teams. */
export interface ResolvedSheetPick {
  readonly pick: SheetPick;
  readonly originalOwnerId: string;
  readonly currentOwnerId: string;
}

export interface DraftPicksGuardResult {
  /** False: the sheet does not look like the league's; write nothing. */
  readonly ok: boolean;
  /** The parser's problems, then the guards' (errors that failed the run, warnings for unknown owners). */
  readonly problems: SheetProblem[];
  /** Sheet owner names (as written, trimmed) that resolve to no team, in order of first appearance. */
  readonly unknownOwners: string[];
  /** Picks whose original and current owner both resolve (empty when `ok` is false). */
  readonly resolved: ResolvedSheetPick[];
  /** Picks skipped because an owner did not resolve. */
  readonly skippedNoOwner: number;
}

/** Checks the sheet against the guards and resolves its owners; see the module doc. Never throws. */
export function checkDraftPicksSheet(sheet: DraftPicksSheet, owners: OwnerMap, settings: DraftPicksGuardSettings): DraftPicksGuardResult {
  const problems: SheetProblem[] = [...sheet.problems];
  let ok = !sheet.problems.some((problem) => problem.severity === 'error');

  const headerOwners = sheet.groups.reduce((sum, group) => sum + group.owners.filter((owner) => owner !== '').length, 0);
  if (headerOwners !== settings.expectedOwners) {
    ok = false;
    problems.push({
      severity: 'error',
      message: `found ${headerOwners} owner headers in ${sheet.groups.length} groups, expected ${settings.expectedOwners} (SHEETS_EXPECTED_OWNERS)`,
    });
  }
  const minimum = settings.minShare * fullDraftPicksSheet;
  if (sheet.picks.length < minimum) {
    ok = false;
    problems.push({
      severity: 'error',
      message:
        `only ${sheet.picks.length} picks on the sheet, fewer than ${formatCount(minimum)} ` +
        `(DRAFT_PICKS_MIN_SHARE ${settings.minShare} of ${fullDraftPicksSheet}): a mostly cleared sheet is not written`,
    });
  }

  // Owner names, resolved once each: header owners (whole blocks) first, then original owners.
  const unknown = new Map<string, { readonly row?: number; readonly column?: number; picks: number; readonly header: boolean }>();
  const resolve = (name: string, where: { row?: number; column?: number }, header: boolean): string | undefined => {
    const team = owners.teamOf(name);
    if (team === undefined && !unknown.has(name)) unknown.set(name, { ...where, picks: 0, header });
    return team;
  };
  for (const group of sheet.groups) {
    group.owners.forEach((owner, block) => {
      if (owner !== '') resolve(owner, { row: group.ownerRow, column: block * columnsPerBlock + 1 }, true);
    });
  }

  const resolved: ResolvedSheetPick[] = [];
  let skippedNoOwner = 0;
  for (const pick of sheet.picks) {
    const currentOwnerId = resolve(pick.currentOwnerCsv, { row: pick.row, column: pick.column }, true);
    const originalOwnerId = resolve(pick.originalOwnerCsv, { row: pick.row, column: pick.column + 1 }, false);
    if (currentOwnerId === undefined || originalOwnerId === undefined) {
      skippedNoOwner++;
      for (const name of new Set([pick.currentOwnerCsv, pick.originalOwnerCsv])) {
        const entry = unknown.get(name);
        if (entry !== undefined) entry.picks++;
      }
      continue;
    }
    resolved.push({ pick, originalOwnerId, currentOwnerId });
  }

  const ambiguous = new Set(owners.ambiguous);
  for (const [name, entry] of unknown) {
    const why = ambiguous.has(normaliseOwnerName(name))
      ? 'matches several users holding different teams'
      : 'matches no user."csvName"';
    problems.push({
      severity: 'warning',
      ...(entry.row === undefined ? {} : { row: entry.row }),
      ...(entry.column === undefined ? {} : { column: entry.column }),
      message: `owner ${JSON.stringify(name)}${entry.header ? ' (block header)' : ''} ${why}: its ${entry.picks} picks are skipped (skipped_no_owner)`,
    });
  }

  return { ok, problems, unknownOwners: [...unknown.keys()], resolved: ok ? resolved : [], skippedNoOwner };
}

function formatCount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

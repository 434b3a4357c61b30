/**
 * The minors sync's guards (jobs-reference §2.6, issue 9): pure checks run before any write. A
 * sheet that fails one writes nothing; the run fails with the problems listed.
 *
 * - the parser's error problems (no header, a blank owner cell, a player before any header…);
 * - the owner headers found must be exactly `guards.expectedOwners` (4 groups of 5), none twice;
 * - each owner's block must list between `minorsPerOwner.min` and `.max` players;
 * - the un-own cap: a run may un-own at most `minorsUnownMaxShare` × the minors currently owned.
 *
 * An owner name that matches no `user."csvName"` is not a guard failure: that owner's players are
 * skipped and reported, and his team's minors are never un-owned (the planner's job, see
 * minors-write.ts). It only becomes one through the cap, never by itself.
 */
import { PermanentJobError } from '../outcomes.ts';
import type { MinorsSheet } from './minors-parse.ts';
import { normaliseOwnerName } from './sheet-owners.ts';
import { describeProblem, type SheetProblem } from './sheet-problems.ts';

/** The stable code of a run stopped by a guard. */
export const SHEET_GUARD_FAILED = 'SHEET_GUARD_FAILED';

/** How many problems the guard error's message describes (the count is always whole). */
export const GUARD_MESSAGE_PROBLEMS = 20;

export interface MinorsGuardSettings {
  /** SHEETS_EXPECTED_OWNERS. */
  readonly expectedOwners: number;
  /** MINORS_MIN_PER_OWNER and MINORS_MAX_PER_OWNER. */
  readonly minorsPerOwner: { readonly min: number; readonly max: number };
  /** MINORS_UNOWN_MAX_SHARE. */
  readonly minorsUnownMaxShare: number;
}

/** The sheet-only guards: parser errors, owner headers, players per owner. Returns the blocking problems. */
export function checkMinorsSheet(sheet: MinorsSheet, settings: MinorsGuardSettings): SheetProblem[] {
  const problems: SheetProblem[] = sheet.problems.filter((problem) => problem.severity === 'error');

  if (sheet.owners.length !== settings.expectedOwners) {
    problems.push({
      severity: 'error',
      message: `found ${sheet.owners.length} owner headers, expected ${settings.expectedOwners} (SHEETS_EXPECTED_OWNERS): the sheet is incomplete or not the league's`,
    });
  }

  const firstHeader = new Map<string, { row: number; column: number }>();
  for (const owner of sheet.owners) {
    const key = normaliseOwnerName(owner.csvName);
    const first = firstHeader.get(key);
    if (first !== undefined) {
      problems.push({
        severity: 'error',
        row: owner.row,
        column: owner.column,
        message: `owner "${owner.csvName}" heads a second block (first at row ${first.row}, column ${first.column}): two teams' players would be mixed`,
      });
    } else {
      firstHeader.set(key, { row: owner.row, column: owner.column });
    }
  }

  const counts = new Map<string, number>();
  for (const player of sheet.players) {
    const key = `${player.group}|${player.ownerCsvName}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const { min, max } = settings.minorsPerOwner;
  for (const owner of sheet.owners) {
    const count = counts.get(`${owner.group}|${owner.csvName}`) ?? 0;
    if (count < min || count > max) {
      problems.push({
        severity: 'error',
        row: owner.row,
        column: owner.column,
        message: `owner "${owner.csvName}" lists ${count} minor leaguers, outside ${min}..${max} (MINORS_MIN_PER_OWNER..MINORS_MAX_PER_OWNER)`,
      });
    }
  }
  return problems;
}

/**
 * The un-own cap: `wouldClear` owned minors leaving the sheet, out of `currentlyOwned`, may not be
 * more than `share` × `currentlyOwned`. Returns the blocking problem, or undefined.
 */
export function checkUnownCap(wouldClear: number, currentlyOwned: number, share: number): SheetProblem | undefined {
  const allowed = Math.floor(share * currentlyOwned);
  if (wouldClear <= allowed) return undefined;
  return {
    severity: 'error',
    message: `the sheet would un-own ${wouldClear} of the ${currentlyOwned} minor leaguers currently owned, more than the cap of ${allowed} (MINORS_UNOWN_MAX_SHARE ${share}); nothing was written`,
  };
}

/** The job error for a failed guard: the count, then the first GUARD_MESSAGE_PROBLEMS problems described. */
export function minorsGuardError(target: string, problems: readonly SheetProblem[]): PermanentJobError {
  const shown = problems.slice(0, GUARD_MESSAGE_PROBLEMS).map(describeProblem);
  const more = problems.length > shown.length ? `\n… and ${problems.length - shown.length} more` : '';
  return new PermanentJobError(
    SHEET_GUARD_FAILED,
    `the minors sheet failed ${problems.length} guard check${problems.length === 1 ? '' : 's'} for ${target}; nothing was written:\n${shown.join('\n')}${more}`,
  );
}

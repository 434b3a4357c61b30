/**
 * What a sheet parser found wrong, and where. Parsers never throw on a bad sheet: they return what
 * they could read plus these, and the sync's guards decide whether the run may write anything.
 */
export interface SheetProblem {
  /** `error`: the sheet does not look like the league's (the guards stop the run); `warning`: reported, not blocking. */
  readonly severity: 'error' | 'warning';
  /** 1-based row number in the CSV, as a spreadsheet shows it; absent for a sheet-wide problem. */
  readonly row?: number;
  /** 1-based column number in the CSV (A = 1); absent for a whole-row problem. */
  readonly column?: number;
  /** What was wrong, readable on its own: `block 3: pick number "x" is not a whole number`. */
  readonly message: string;
}

/** A CSV as parsed: rows of cells, never null, ragged rows allowed. */
export type SheetRows = readonly (readonly string[])[];

/** `row 12, column 23 (W): …`, for logs and run metadata. */
export function describeProblem(problem: SheetProblem): string {
  const where: string[] = [];
  if (problem.row !== undefined) where.push(`row ${problem.row}`);
  if (problem.column !== undefined) where.push(`column ${problem.column} (${columnLetters(problem.column)})`);
  return where.length > 0 ? `${where.join(', ')}: ${problem.message}` : problem.message;
}

/** 1 → A, 27 → AA: how the sheet names a column. */
export function columnLetters(column: number): string {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

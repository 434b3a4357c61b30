/**
 * The draft-picks sheet (jobs-reference §3.3) read into picks, per-group counts and problems. Pure: no I/O, no clock;
 * seasons are the sync's business (majors → season + 1).
 *
 * Rows are recognised by their shape, never by their first cell alone (§3.6): a cleared pick in the first block
 * cannot make a pick row look like a skip row, so later rows keep their index and the next group's owner header is
 * still read as a header. Row kinds, checked in this order:
 * - blank: every cell empty;
 * - pick: some block has a pick number (column [3] a number or a sheet error such as `#N/A`) or a round label
 *   (column [0] `1`, `1.5`, `HM1`, `LM3`…);
 * - column header: some block's column [0] is `Round`;
 * - owner header: at least two blocks have a name in column [0] that is not legend text (and, by the order above,
 *   no pick numbers); a sheet error such as `#N/A` is no name;
 * - legend: the first non-empty cell is `Draft Picks` or starts with the word GREY/GRAY, BLUE or RED;
 * - anything else is a stray row: an error, never an owner header (the first few are listed, then a count).
 *
 * A group is an owner header and the pick rows up to the next header. Blank rows between two pick rows are pick rows
 * whose five slots were all cleared; blank rows before the first or after the last pick row are separators, unless the
 * round labels of the edge pick rows show that cleared rows are missing there (first pick row labelled `2` → one
 * cleared row before it). A group must have exactly 15 pick rows; otherwise its rows cannot be typed by index and its
 * picks are withheld (error).
 */
import type { SheetProblem, SheetRows } from './sheet-problems.ts';

export interface SheetPick {
  readonly type: PickType;
  /** Decimal as text (`"1"`, `"3"`, `"1.5"`): the DB column is numeric. */
  readonly round: string;
  /** Column [1] of the block: whose pick it was. */
  readonly originalOwnerCsv: string;
  /** The block's owner header: who holds it now (authoritative; column [4] is only cross-checked). */
  readonly currentOwnerCsv: string;
  /** Column [3], OVR. */
  readonly pickNumber: number;
  /** 1-based CSV row. */
  readonly row: number;
  /** 1-based column of the block's first cell. */
  readonly column: number;
}

export interface PickGroup {
  /** 1-based CSV row of the owner header. */
  readonly ownerRow: number;
  /** The five block headers, trimmed (empty when a block has none). */
  readonly owners: string[];
  /** How many of its 15 pick rows were found. */
  readonly pickRows: number;
  /** Pick slots found cleared (blank, or OVR ≤ 0). */
  readonly cleared: number;
}

export interface DraftPicksSheet {
  readonly picks: SheetPick[];
  readonly groups: PickGroup[];
  readonly problems: SheetProblem[];
}

export type PickType = 'majors' | 'high' | 'low';

/** The round labels of a group's 15 pick rows, in order, as the league's sheet writes them. */
export const draftPickRowLabels = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'HM1', 'LM1', 'LM3', 'LM4', 'LM5'] as const;

/** Layout constants of §3.3. */
export const blocksPerRow = 5;
export const columnsPerBlock = 7;
export const pickRowsPerGroup = 15;
export const groupsPerSheet = 4;

/** Stray rows listed one by one before the rest are only counted (a wrong CSV would list every row). */
const maxStrayRowsListed = 10;

const col = { round: 0, originalOwner: 1, ovr: 3, currentOwner: 4 } as const;

/** The type of pick row `index` (0-based within its group): by position, not by label (§3.3). */
export function pickTypeAt(index: number): PickType {
  return index < 10 ? 'majors' : index === 10 ? 'high' : 'low';
}

/** Read the sheet; never throws: what cannot be read is a problem. */
export function parseDraftPicksSheet(rows: SheetRows): DraftPicksSheet {
  const picks: SheetPick[] = [];
  const groups: PickGroup[] = [];
  const problems: SheetProblem[] = [];

  let strays = 0;
  let current: OpenGroup | undefined;
  const close = (nextRow: number): void => {
    if (current === undefined) return;
    groups.push(finishGroup(current, groups.length + 1, nextRow, rows, picks, problems));
    current = undefined;
  };

  rows.forEach((cells, index) => {
    const row = index + 1;
    const kind = classify(cells);
    switch (kind) {
      case 'blank':
        if (current !== undefined) current.lines.push({ row, blank: true });
        return;
      case 'pick':
        if (current === undefined) {
          strays++;
          if (strays <= maxStrayRowsListed) problems.push({ severity: 'error', row, message: 'pick row before any owner header row; not read' });
        } else {
          current.lines.push({ row, blank: false });
        }
        return;
      case 'round':
      case 'legend':
        return;
      case 'header':
        close(row);
        current = { ownerRow: row, owners: blocksOf(cells).map((block) => cleanName(block[0] ?? '')), lines: [] };
        return;
      case 'stray':
        strays++;
        if (strays > maxStrayRowsListed) return;
        problems.push({
          severity: 'error',
          row,
          message: `unexpected row ${quote(firstNonEmpty(cells))}: neither an owner header, a pick row, a legend nor blank`,
        });
        return;
    }
  });
  close(rows.length + 1);
  if (strays > maxStrayRowsListed) {
    problems.push({ severity: 'error', message: `${strays - maxStrayRowsListed} more unexpected rows not listed (${strays} in all)` });
  }
  reportDuplicates(picks, problems);

  if (groups.length === 0) {
    problems.push({ severity: 'error', message: 'no owner header row found: this does not look like the draft-picks sheet' });
  } else if (groups.length !== groupsPerSheet) {
    problems.push({ severity: 'error', message: `found ${groups.length} owner groups, expected ${groupsPerSheet}` });
  }
  return { picks, groups, problems };
}

interface Line {
  readonly row: number;
  readonly blank: boolean;
}

interface OpenGroup {
  readonly ownerRow: number;
  readonly owners: string[];
  /** Pick and blank rows after the header, in order. */
  readonly lines: Line[];
}

type RowKind = 'blank' | 'pick' | 'round' | 'legend' | 'header' | 'stray';

function classify(cells: readonly string[]): RowKind {
  if (cells.every((cell) => cell.trim() === '')) return 'blank';
  const blocks = blocksOf(cells);
  if (blocks.some(isPickShaped)) return 'pick';
  if (blocks.some((block) => /^round$/i.test((block[col.round] ?? '').trim()))) return 'round';
  // Names that are not legend text: an owner called "Blue Steel" still makes a header, a legend spread over blocks does not.
  const named = blocks.filter((block) => {
    const name = cleanName(block[0] ?? '');
    return name !== '' && !isLegend(name);
  }).length;
  if (named >= 2) return 'header';
  return isLegend(firstNonEmpty(cells)) ? 'legend' : 'stray';
}

function isPickShaped(block: readonly string[]): boolean {
  const ovr = (block[col.ovr] ?? '').trim();
  return /^[-+]?\d+(\.\d+)?$/.test(ovr) || isSheetError(ovr) || labelType((block[col.round] ?? '').trim()) !== undefined;
}

function isLegend(text: string): boolean {
  return /^draft picks$/i.test(text) || /^(grey|gray|blue|red)\b/i.test(text);
}

/** The type a round label names (`3` majors, `HM1` high, `LM3` low), or undefined when it is not a round label. */
function labelType(label: string): PickType | undefined {
  if (/^\d+(\.\d+)?$/.test(label)) return 'majors';
  if (/^HM\s*\d+(\.\d+)?$/i.test(label)) return 'high';
  if (/^LM\s*\d+(\.\d+)?$/i.test(label)) return 'low';
  return undefined;
}

/** Index of the row within the group that the round labels of this row name, when they agree on one. */
function labelIndex(cells: readonly string[]): number | undefined {
  const found = new Set<number>();
  for (const block of blocksOf(cells)) {
    const label = (block[col.round] ?? '').trim().toUpperCase().replace(/\s+/g, '');
    const at = (draftPickRowLabels as readonly string[]).indexOf(label);
    if (at >= 0) found.add(at);
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/** The 5 blocks of 7 cells; short rows padded with '', extra columns ignored. */
function blocksOf(cells: readonly string[]): string[][] {
  return Array.from({ length: blocksPerRow }, (_, b) =>
    Array.from({ length: columnsPerBlock }, (_, c) => cells[b * columnsPerBlock + c] ?? ''),
  );
}

function finishGroup(
  group: OpenGroup,
  number: number,
  nextRow: number,
  rows: SheetRows,
  picks: SheetPick[],
  problems: SheetProblem[],
): PickGroup {
  const pickRows = pickRowsOf(group, rows);
  const header = `owner group ${number} (header row ${group.ownerRow}: ${group.owners.map((o) => o || '?').join(', ')})`;
  const complete = pickRows.length === pickRowsPerGroup;
  if (!complete) {
    const span = pickRows.length > 0 ? `, rows ${pickRows[0]}–${pickRows[pickRows.length - 1]}` : '';
    problems.push({
      severity: 'error',
      row: group.ownerRow,
      message: `${header} has ${pickRows.length} pick rows${span} before row ${nextRow}, expected ${pickRowsPerGroup}; its picks are withheld`,
    });
  }
  group.owners.forEach((owner, b) => {
    if (owner === '') {
      problems.push({
        severity: 'error',
        row: group.ownerRow,
        column: b * columnsPerBlock + 1,
        message: `${header}: block ${b + 1} has no owner name; its picks are withheld`,
      });
    }
  });

  let cleared = 0;
  pickRows.forEach((row, index) => {
    const cells = rows[row - 1] ?? [];
    const type = pickTypeAt(index);
    blocksOf(cells).forEach((block, b) => {
      const slot = readSlot(block, b, row, group.owners[b] ?? '', complete ? type : undefined, problems);
      if (slot === 'cleared') cleared++;
      else if (slot !== undefined && slot.currentOwnerCsv !== '') picks.push(slot);
    });
  });
  return { ownerRow: group.ownerRow, owners: group.owners, pickRows: pickRows.length, cleared };
}

/** The group's 15 pick-row numbers: see the module doc for which blank rows count. */
function pickRowsOf(group: OpenGroup, rows: SheetRows): number[] {
  const lines = group.lines;
  const first = lines.findIndex((line) => !line.blank);
  if (first < 0) return [];
  let last = lines.length - 1;
  while (lines[last]?.blank) last--;
  let from = first;
  let to = last;
  const inner = to - from + 1;
  if (inner < pickRowsPerGroup) {
    // Whole cleared rows at the edges look like separators; the edge rows' labels say how many are missing.
    const firstLine = lines[first];
    const lastLine = lines[last];
    const before = firstLine === undefined ? undefined : labelIndex(rows[firstLine.row - 1] ?? []);
    const after = lastLine === undefined ? undefined : labelIndex(rows[lastLine.row - 1] ?? []);
    const wantBefore = before ?? 0;
    const wantAfter = after === undefined ? 0 : pickRowsPerGroup - 1 - after;
    if (wantBefore + inner + wantAfter === pickRowsPerGroup && from - wantBefore >= 0 && to + wantAfter < lines.length) {
      from -= wantBefore;
      to += wantAfter;
    }
  }
  return lines.slice(from, to + 1).map((line) => line.row);
}

/** One block of one pick row: a pick, `cleared`, or undefined when half-filled (reported) or untypable. */
function readSlot(
  block: readonly string[],
  b: number,
  row: number,
  owner: string,
  /** Undefined when the group has the wrong number of rows: no type, and no label cross-check (it would flag every shifted row). */
  type: PickType | undefined,
  problems: SheetProblem[],
): SheetPick | 'cleared' | undefined {
  const firstColumn = b * columnsPerBlock + 1;
  const roundText = (block[col.round] ?? '').trim();
  const originalOwner = cleanName(block[col.originalOwner] ?? '');
  const ovrText = (block[col.ovr] ?? '').trim();
  const where = `block ${b + 1} (${owner || 'no owner'})`;
  const warn = (column: number, message: string): undefined => {
    problems.push({ severity: 'warning', row, column: firstColumn + column, message: `${where}: ${message}` });
    return undefined;
  };

  if (roundText === '' && ovrText === '' && (block[col.originalOwner] ?? '').trim() === '') return 'cleared';
  if (/^[-+]?\d+(\.\d+)?$/.test(ovrText) && Number(ovrText) <= 0) return 'cleared';

  const round = parseRound(roundText);
  if (round === undefined) return warn(col.round, `round ${quote(roundText)} is not a round number; pick not read`);
  if (!/^\+?\d+$/.test(ovrText)) return warn(col.ovr, `pick number ${quote(ovrText)} is not a whole number; pick not read`);
  if (originalOwner === '') {
    const raw = (block[col.originalOwner] ?? '').trim();
    return warn(col.originalOwner, raw === '' ? `pick ${ovrText} has no original owner; pick not read` : `original owner ${quote(raw)} is not a name; pick not read`);
  }

  const labelled = labelType(roundText);
  if (type === undefined) return undefined;
  if (labelled !== undefined && labelled !== type) {
    problems.push({
      severity: 'error',
      row,
      column: firstColumn + col.round,
      message: `${where}: round label ${quote(roundText)} names a ${labelled} pick but the row's position in its group makes it ${type}`,
    });
  }
  const stated = cleanName(block[col.currentOwner] ?? '');
  if (stated !== '' && owner !== '' && squash(stated) !== squash(owner)) {
    warn(col.currentOwner, `current owner column says ${quote(stated)} but the block header says ${quote(owner)}; the header wins`);
  }
  return {
    type,
    round,
    originalOwnerCsv: originalOwner,
    currentOwnerCsv: owner,
    pickNumber: Number(ovrText),
    row,
    column: firstColumn,
  };
}

/**
 * Two picks with the same upsert key (type, round, original owner) would overwrite each other in the sync: a warning
 * at the second, naming the first.
 */
function reportDuplicates(picks: readonly SheetPick[], problems: SheetProblem[]): void {
  const seen = new Map<string, SheetPick>();
  for (const pick of picks) {
    const key = `${pick.type}|${pick.round}|${squash(pick.originalOwnerCsv)}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, pick);
      continue;
    }
    problems.push({
      severity: 'warning',
      row: pick.row,
      column: pick.column,
      message: `${pick.originalOwnerCsv}'s ${pick.type} round ${pick.round} pick is listed twice (also row ${first.row}, column ${first.column}); the sync keeps one`,
    });
  }
}

/** §3.3: keep digits and `.`, then a decimal > 0, as canonical text (`HM1` → `1`, `01.50` → `1.5`). */
function parseRound(text: string): string | undefined {
  const kept = text.replace(/[^\d.]/g, '');
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(kept)) return undefined;
  const value = Number(kept);
  return value > 0 ? String(value) : undefined;
}

/** A trimmed name, or '' for a sheet error such as `#N/A` (a failed lookup names nobody). */
function cleanName(text: string): string {
  const trimmed = text.trim();
  return isSheetError(trimmed) ? '' : trimmed;
}

function isSheetError(text: string): boolean {
  return /^#(N\/A|REF!|VALUE!|DIV\/0!|NAME\?|NUM!|NULL!|ERROR!|SPILL!|CALC!)$/i.test(text);
}

function squash(name: string): string {
  return name.replace(/\s+/g, '').toLowerCase();
}

function firstNonEmpty(cells: readonly string[]): string {
  return cells.find((cell) => cell.trim() !== '')?.trim() ?? '';
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

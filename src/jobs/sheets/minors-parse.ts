/**
 * Reads the minor-league sheet's CSV (jobs-reference §2.3): rows of 5 team blocks of 9 columns,
 * owner-header rows (level "0") followed by HM and LM player rows. Pure; never throws on content.
 *
 * Unlike the Elixir parser (§2.6), a row is classified from all five blocks, not the first one: a
 * blank first block neither hides a header nor a player row, and a blank owner cell on a header
 * row leaves that block's players without an owner (reported) instead of keeping the previous
 * group's owner.
 */
import type { SheetProblem, SheetRows } from './sheet-problems.ts';

export type MinorLeagueLevel = 'HM' | 'LM';

export interface MinorSheetPlayer {
  readonly name: string;
  readonly leagueLevel: MinorLeagueLevel;
  readonly position: string;
  readonly mlbTeam: string;
  /** The owner's csvName from the header above; "" when the block has no owner (reported as an error). */
  readonly ownerCsvName: string;
  /** 1-based CSV row. */
  readonly row: number;
  /** 1-based column of the name cell. */
  readonly column: number;
  /** 1-based index of the owner-header row the player falls under; 0 before any header. */
  readonly group: number;
}

export interface OwnerHeader {
  readonly csvName: string;
  readonly row: number;
  /** 1-based column of the owner-name cell. */
  readonly column: number;
  /** 1-based index of the owner-header row. */
  readonly group: number;
  /** 0..4, left to right. */
  readonly block: number;
}

export interface MinorsSheet {
  readonly players: MinorSheetPlayer[];
  /** The named owners of every header row, in sheet order; blank owner cells are in `problems`. */
  readonly owners: OwnerHeader[];
  readonly problems: SheetProblem[];
}

/** Team blocks per row and columns per block (§2.3). */
export const MINORS_BLOCKS = 5;
export const MINORS_BLOCK_WIDTH = 9;

/** Positions the sheet uses (§2.3); anything else is reported. */
export const MINORS_POSITIONS: ReadonlySet<string> = new Set(['P', 'C', '1B', '2B', '3B', 'SS', 'OF']);

const LEVEL = 1;
const NAME = 3;
const POSITION = 5;
const TEAM = 6;

/** Spreadsheet error values a formula cell can show instead of a name. */
const FORMULA_ERROR = /^#(?:N\/A|REF!|VALUE!|NAME\?|DIV\/0!|NUM!|NULL!|ERROR!)$/i;

interface Block {
  readonly index: number;
  readonly level: string;
  readonly name: string;
  readonly position: string;
  readonly team: string;
}

/** Who owns a block's players: a named owner, or a blank header cell at a known place. */
interface BlockOwner {
  readonly csvName: string;
  readonly group: number;
  readonly headerRow: number;
}

/** Parse the sheet's rows into players, owners and the problems found on the way. */
export function parseMinorsSheet(rows: SheetRows): MinorsSheet {
  const players: MinorSheetPlayer[] = [];
  const owners: OwnerHeader[] = [];
  const problems: SheetProblem[] = [];
  /** Per block: undefined before any header row. */
  let current: (BlockOwner | undefined)[] = new Array<BlockOwner | undefined>(MINORS_BLOCKS).fill(undefined);
  let group = 0;
  /** owner|name|level|team|position (player fields lowercase) → the first listing's place. */
  const seen = new Map<string, { row: number; column: number }>();

  rows.forEach((cells, index) => {
    const row = index + 1;
    if (isFooter(cells)) return;
    const blocks = readBlocks(cells);
    const isHeader = blocks.some((b) => b.level === '0' && b.name !== '');
    const isPlayerRow = !isHeader && blocks.some((b) => levelOf(b.level) !== undefined && isRealName(b.name));
    if (!isHeader && !isPlayerRow) return; // legend, separator, title or anything else

    if (isHeader) {
      group += 1;
      current = blocks.map((b) => readOwner(b, row, group, owners, problems));
      return;
    }

    for (const b of blocks) {
      const player = readPlayer(b, row, current[b.index], problems);
      if (player === undefined) continue;
      if (player.ownerCsvName !== '') {
        // The owner as the sync matches it (exact); the player case-insensitively, as the sync's meta key.
        const key = `${player.ownerCsvName}|${[player.name, player.leagueLevel, player.mlbTeam, player.position].join('|').toLowerCase()}`;
        const first = seen.get(key);
        if (first !== undefined) {
          problems.push({
            severity: 'warning',
            row,
            column: player.column,
            message: `block ${b.index + 1}: "${player.name}" (${player.leagueLevel}, ${player.position}, ${player.mlbTeam}) is listed twice for owner "${player.ownerCsvName}" (first at row ${first.row}, column ${first.column}); the second listing is ignored`,
          });
          continue;
        }
        seen.set(key, { row, column: player.column });
      }
      players.push(player);
    }
  });

  if (group === 0) {
    problems.unshift({
      severity: 'error',
      message: `no owner header row found (a row with level "0" and an owner name in a block): this does not look like the minor-league sheet (${rows.length} rows read)`,
    });
  }
  return { players, owners, problems };
}

/** The five blocks of a row: short rows padded with "", extra columns ignored, cells trimmed. */
function readBlocks(cells: readonly string[]): Block[] {
  const cell = (i: number) => clean(cells[i] ?? '');
  return Array.from({ length: MINORS_BLOCKS }, (_, index) => {
    const start = index * MINORS_BLOCK_WIDTH;
    return {
      index,
      level: cell(start + LEVEL).toUpperCase(),
      name: cell(start + NAME),
      position: cell(start + POSITION).toUpperCase(),
      team: cell(start + TEAM),
    };
  });
}

/** Trimmed, with non-breaking spaces and runs of whitespace made one space. */
function clean(value: string): string {
  return String(value).replace(/\s+/g, ' ').trim();
}

function isFooter(cells: readonly string[]): boolean {
  return clean(cells[0] ?? '') === 'Row' && clean(cells[1] ?? '') === 'Level';
}

function levelOf(level: string): MinorLeagueLevel | undefined {
  return level === 'HM' || level === 'LM' ? level : undefined;
}

function isRealName(name: string): boolean {
  return name !== '' && !FORMULA_ERROR.test(name);
}

/** 1-based column of a block's cell. */
function columnOf(block: number, offset: number): number {
  return block * MINORS_BLOCK_WIDTH + offset + 1;
}

/** One block of a header row: its owner, or a reported blank whose players will have no owner. */
function readOwner(b: Block, row: number, group: number, owners: OwnerHeader[], problems: SheetProblem[]): BlockOwner {
  const column = columnOf(b.index, NAME);
  const where = `block ${b.index + 1}`;
  if (levelOf(b.level) !== undefined && isRealName(b.name)) {
    problems.push({ severity: 'error', row, column, message: `${where}: player "${b.name}" (level ${b.level}) is on an owner-header row; skipped, and the block has no owner until the next header` });
    return { csvName: '', group, headerRow: row };
  }
  if (!isRealName(b.name)) {
    const shown = b.name === '' ? 'blank' : `"${b.name}"`;
    problems.push({ severity: 'error', row, column, message: `${where}: the owner name on this owner-header row is ${shown}; the block's players until the next header have no owner` });
    return { csvName: '', group, headerRow: row };
  }
  if (b.level !== '0') {
    const shown = b.level === '' ? 'blank' : `"${b.level}"`;
    problems.push({ severity: 'warning', row, column: columnOf(b.index, LEVEL), message: `${where}: level is ${shown} on an owner-header row (expected "0"); owner "${b.name}" read anyway` });
  }
  owners.push({ csvName: b.name, row, column, group, block: b.index });
  return { csvName: b.name, group, headerRow: row };
}

/** One block of a player row: a player when its own level is HM/LM and its name is real. */
function readPlayer(b: Block, row: number, owner: BlockOwner | undefined, problems: SheetProblem[]): MinorSheetPlayer | undefined {
  const column = columnOf(b.index, NAME);
  const where = `block ${b.index + 1}`;
  if (!isRealName(b.name)) {
    if (b.name !== '' && !/^#N\/A$/i.test(b.name)) {
      problems.push({ severity: 'warning', row, column, message: `${where}: the name cell shows the spreadsheet error ${b.name}; skipped` });
    }
    return undefined;
  }
  const leagueLevel = levelOf(b.level);
  if (leagueLevel === undefined) {
    const shown = b.level === '' ? 'blank' : `"${b.level}"`;
    problems.push({ severity: 'warning', row, column: columnOf(b.index, LEVEL), message: `${where}: "${b.name}" has level ${shown} (expected HM or LM); skipped` });
    return undefined;
  }
  if (owner === undefined) {
    problems.push({ severity: 'error', row, column, message: `${where}: "${b.name}" comes before any owner-header row; it has no owner` });
  } else if (owner.csvName === '') {
    problems.push({ severity: 'error', row, column, message: `${where}: "${b.name}" has no owner (the owner-header row ${owner.headerRow} names none for this block)` });
  }
  if (!MINORS_POSITIONS.has(b.position)) {
    const shown = b.position === '' ? 'blank' : `"${b.position}"`;
    problems.push({ severity: 'warning', row, column: columnOf(b.index, POSITION), message: `${where}: "${b.name}" has position ${shown} (expected one of ${[...MINORS_POSITIONS].join(' ')})` });
  }
  const mlbTeam = FORMULA_ERROR.test(b.team) ? '' : b.team;
  if (mlbTeam === '') {
    problems.push({ severity: 'warning', row, column: columnOf(b.index, TEAM), message: `${where}: "${b.name}" has no MLB team` });
  }
  return {
    name: b.name,
    leagueLevel,
    position: b.position,
    mlbTeam,
    ownerCsvName: owner?.csvName ?? '',
    row,
    column,
    group: owner?.group ?? 0,
  };
}

/**
 * Renders a minor-league sheet as its CSV export's rows (jobs-reference §2.3), for the tests and
 * the dev stand-in: per group an owner-header row, then 7 HM slot rows and 7 LM slot rows (more when
 * a block holds more), a blank separator between groups, then an optional legend and footer.
 * Values are written as given (no trimming), so callers can plant odd whitespace or bad cells.
 */

/** One prospect as the sheet lists him. */
export interface MinorsSheetPlayerSpec {
  readonly name: string;
  readonly leagueLevel: 'HM' | 'LM';
  readonly position: string;
  readonly mlbTeam: string;
  /** `*`, `**`, `X` or empty; the parser ignores it. */
  readonly annotation?: string;
  readonly keep?: boolean;
  readonly trade?: boolean;
}

/** Five owners side by side and their players, one array per block (left to right). */
export interface MinorsSheetGroupSpec {
  /** The owners' csvNames, block 1 to 5. */
  readonly owners: readonly [string, string, string, string, string];
  /** Per block, HM and LM players mixed; they are rendered HM first, each level in the given order. */
  readonly players: readonly (readonly MinorsSheetPlayerSpec[])[];
}

export interface MinorsLeagueSpec {
  readonly groups: readonly MinorsSheetGroupSpec[];
  /** Append the legend rows ("* = …"). Default: true. */
  readonly legend?: boolean;
  /** Append the footer row (`Row`, `Level`, …). Default: true. */
  readonly footer?: boolean;
  /** Cells appended to every row past the 45 the parser reads (notes on header rows). Default: 0. */
  readonly extraColumns?: number;
  /** How an unused slot renders: `na` as the sheet's formulas show it (`#N/A` slot and name), `blank` as empty cells. Default: `na`. */
  readonly emptySlots?: 'na' | 'blank';
}

/** Team blocks per row and columns per block. */
const BLOCKS = 5;
const WIDTH = 9;
/** Slot rows per level per group on the real sheet. */
const SLOTS = 7;

const LEGEND = [
  '* = on the 40-man roster',
  '** = rookie status exhausted, must be promoted or released',
  'X = traded this season',
  'K = kept for next season, T = on the trading block',
];

const FOOTER_BLOCK = ['Row', 'Level', 'Slot', 'Player', 'Note', 'Pos', 'Team', 'Keep', 'Trade'];

/** The sheet's rows, 45 cells each plus `extraColumns`. */
export function buildMinorsSheet(league: MinorsLeagueSpec): string[][] {
  const extra = league.extraColumns ?? 0;
  const emptySlots = league.emptySlots ?? 'na';
  const rows: string[][] = [];
  const blank = (): string[] => new Array<string>(BLOCKS * WIDTH + extra).fill('');
  const pad = (cells: string[], note = ''): string[] => [...cells, ...Array.from({ length: extra }, (_, i) => (i === 0 ? note : ''))];

  league.groups.forEach((group, g) => {
    if (g > 0) rows.push(blank());
    const number = String(g + 1);
    rows.push(pad(group.owners.flatMap((owner) => [number, '0', '', owner, '', '', '', 'K', 'T']), `group ${number} updated`));
    for (const level of ['HM', 'LM'] as const) {
      const byBlock = Array.from({ length: BLOCKS }, (_, b) => (group.players[b] ?? []).filter((p) => p.leagueLevel === level));
      const slots = Math.max(SLOTS, ...byBlock.map((players) => players.length));
      for (let slot = 0; slot < slots; slot++) {
        const cells = byBlock.flatMap((players) => {
          const player = players[slot];
          if (player !== undefined) {
            return [number, level, String(slot + 1), player.name, player.annotation ?? '', player.position, player.mlbTeam, flag(player.keep), flag(player.trade)];
          }
          return emptySlots === 'na' ? [number, level, '#N/A', '#N/A', '', '', '', 'FALSE', 'FALSE'] : new Array<string>(WIDTH).fill('');
        });
        rows.push(pad(cells));
      }
    }
  });

  if (league.legend ?? true) {
    rows.push(blank());
    for (const text of LEGEND) {
      const cells = blank();
      cells[0] = text;
      rows.push(cells);
    }
  }
  if (league.footer ?? true) {
    rows.push(pad(Array.from({ length: BLOCKS }, () => FOOTER_BLOCK).flat()));
  }
  return rows;
}

function flag(value: boolean | undefined): string {
  return value === true ? 'TRUE' : 'FALSE';
}

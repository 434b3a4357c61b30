/**
 * A realistic draft-picks sheet (jobs-reference §3.3) as the CSV export's rows, for the tests and the dev sheets
 * stand-in. Deterministic: the same league gives the same rows.
 *
 * Layout: a `Draft Picks` title and three colour legend rows, a blank row, then per group an owner-header row (group 1
 * also a `Round` column-header row) and 15 pick rows, groups separated by a blank row. Every row is
 * `5 × 7 + extraColumns` cells wide. A block's cells: [0] round (`1`…`10`, `HM1`, `LM1`, `LM3`, `LM4`, `LM5`),
 * [1] original owner, [2] the pick's place in its round (`3.07`), [3] OVR, [4] the block's (current) owner,
 * [5] `via <original owner>` on a traded pick, [6] `FALSE` (a "used" checkbox). A cleared slot is 7 empty cells.
 *
 * OVR: each draft numbers its own picks from 1 (majors 1–200, high 1–20, low 1–80), snake order: teams in sheet
 * order (group by group, block by block) pick in odd rounds of that draft, reversed in even ones. A pick's number is
 * its ORIGINAL owner's place, as in a real draft: trading a pick does not move it in the order.
 */
import { draftPickRowLabels } from '../../../src/jobs/sheets/draft-picks-parse.ts';

export interface DraftPickSlot {
  /** 0-based group. */
  readonly group: number;
  /** 0-based block within the group's rows. */
  readonly block: number;
  /** 0-based pick row within the group (0–9 majors, 10 high, 11–14 low). */
  readonly index: number;
}

export interface DraftPickSlotContent {
  /** Whose pick it was. Default: the block's owner (not traded). */
  readonly originalOwner?: string;
  /** Render the slot empty. Default: false. */
  readonly cleared?: boolean;
}

export interface DraftPicksLeague {
  /** Usually 4 groups of 5 owners (20 teams). */
  readonly groups: ReadonlyArray<{ readonly owners: readonly [string, string, string, string, string] }>;
  /** What each slot holds. Default: the block owner's own pick. */
  readonly picks?: (slot: DraftPickSlot) => DraftPickSlotContent;
  /** Title and legend rows at the top. Default: true. */
  readonly legend?: boolean;
  /** Extra columns after the 35 (a notes area the parser must ignore). Default: 0. */
  readonly extraColumns?: number;
}

const columnsPerBlock = 7;
const blocks = 5;

/** The sheet's rows, every one the full width. */
export function buildDraftPicksSheet(league: DraftPicksLeague): string[][] {
  const extra = league.extraColumns ?? 0;
  const width = blocks * columnsPerBlock + extra;
  const teams = league.groups.flatMap((group) => [...group.owners]);
  const line = (cells: readonly string[], extras: string = ''): string[] => {
    const out = Array.from({ length: width }, (_, i) => (i < blocks * columnsPerBlock ? (cells[i] ?? '') : ''));
    for (let i = 0; i < extra; i++) out[blocks * columnsPerBlock + i] = extras === '' ? '' : `${extras} ${i + 1}`;
    return out;
  };
  const rows: string[][] = [];
  if (league.legend ?? true) {
    rows.push(line(['Draft Picks']));
    rows.push(line(['GREY = pick used in the draft']));
    rows.push(line(['BLUE = pick acquired in a trade']));
    rows.push(line(['RED = pick forfeited']));
    rows.push(line([]));
  }
  league.groups.forEach((group, g) => {
    if (g > 0) rows.push(line([]));
    rows.push(line(group.owners.flatMap((owner) => [owner, '', '', '', '', '', '']), 'Notes'));
    if (g === 0) rows.push(line(group.owners.flatMap(() => ['Round', 'Original Owner', 'Pick', 'OVR', 'Owner', 'Via', 'Used'])));
    for (let index = 0; index < draftPickRowLabels.length; index++) {
      const cells = group.owners.flatMap((owner, block) => {
        const content = league.picks?.({ group: g, block, index }) ?? {};
        if (content.cleared === true) return ['', '', '', '', '', '', ''];
        const original = content.originalOwner ?? owner;
        const team = teams.indexOf(original) >= 0 ? teams.indexOf(original) : teams.indexOf(owner);
        const { place, overall } = draftOrder(index, team, teams.length);
        const label = draftPickRowLabels[index] ?? '';
        const round = label.replace(/^[HL]M/, '');
        return [label, original, `${round}.${String(place).padStart(2, '0')}`, String(overall), owner, original === owner ? '' : `via ${original}`, 'FALSE'];
      });
      rows.push(line(cells, 'note'));
    }
  });
  return rows;
}

/** Place in the round (1-based) and OVR of team `team` in pick row `index`; see the module doc. */
export function draftOrder(index: number, team: number, teamCount: number): { place: number; overall: number } {
  // The draft this row belongs to, and the row's round within that draft (0-based).
  const roundInDraft = index < 10 ? index : index === 10 ? 0 : index - 11;
  const place = roundInDraft % 2 === 0 ? team + 1 : teamCount - team;
  return { place, overall: roundInDraft * teamCount + place };
}

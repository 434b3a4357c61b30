import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDraftPicksSheet, type DraftPicksSheet, type SheetPick } from '../../../src/jobs/sheets/draft-picks-parse.ts';
import { buildDraftPicksSheet, draftOrder, type DraftPickSlot, type DraftPickSlotContent } from '../../../dev/jobs/sheets/draft-picks-sheet.ts';

type Five = [string, string, string, string, string];
const owners: Five[] = [
  ['Akos', 'Bea', 'Cass', 'Dmitri', 'Elle'],
  ['Finn', 'Gus', 'Hana', 'Ivo', 'Jun'],
  ['Kai', 'Lars', 'Mo', 'Nia', 'Oskar'],
  ['Pia', 'Quinn', 'Rafa', 'Sol', 'Tove'],
];
const teams = owners.flat();
const labels = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'HM1', 'LM1', 'LM3', 'LM4', 'LM5'];

/** The builder's sheet: by default 4 groups of 5 owners with the legend (title, 3 legend rows, blank). */
function sheet(picks?: (slot: DraftPickSlot) => DraftPickSlotContent, extra: { legend?: boolean; extraColumns?: number } = {}): string[][] {
  return buildDraftPicksSheet({ groups: owners.map((o) => ({ owners: o })), ...(picks ? { picks } : {}), ...extra });
}

/** 1-based CSV row of the owner header of group g (0-based) in the default sheet. */
function headerRow(g: number): number {
  // Legend rows 1–5; group 1 is header, Round row and 15 picks (6–22); each later group a blank, header and 15 picks.
  return g === 0 ? 6 : 24 + (g - 1) * 17;
}

/** 1-based CSV row of pick row `index` of group g in the default sheet. */
function pickRow(g: number, index: number): number {
  return headerRow(g) + (g === 0 ? 2 : 1) + index;
}

/** The pick the default sheet holds in a slot, as the parser should report it. */
function expected(g: number, block: number, index: number, original?: string): SheetPick {
  const owner = owners[g]![block]!;
  const from = original ?? owner;
  const type = index < 10 ? 'majors' : index === 10 ? 'high' : 'low';
  return {
    type,
    round: labels[index]!.replace(/^[HL]M/, ''),
    originalOwnerCsv: from,
    currentOwnerCsv: owner,
    pickNumber: draftOrder(index, teams.indexOf(from), teams.length).overall,
    row: pickRow(g, index),
    column: block * 7 + 1,
  };
}

function allExpected(skip: (g: number, block: number, index: number) => boolean = () => false): SheetPick[] {
  const out: SheetPick[] = [];
  for (let g = 0; g < 4; g++) for (let index = 0; index < 15; index++) for (let b = 0; b < 5; b++) if (!skip(g, b, index)) out.push(expected(g, b, index));
  return out;
}

/** Picks in a stable order, so two lists compare whatever order the parser emits. */
function sorted(picks: readonly SheetPick[]): SheetPick[] {
  return [...picks].sort((a, b) => a.row - b.row || a.column - b.column);
}

function counts(result: DraftPicksSheet) {
  const by = { majors: 0, high: 0, low: 0 };
  for (const pick of result.picks) by[pick.type]++;
  return by;
}

function errors(result: DraftPicksSheet) {
  return result.problems.filter((p) => p.severity === 'error');
}

function warnings(result: DraftPicksSheet) {
  return result.problems.filter((p) => p.severity === 'warning');
}

/** Set cell (1-based row, 1-based column) of a built sheet. */
function setCell(rows: string[][], row: number, column: number, value: string): void {
  const cells = rows[row - 1]!;
  while (cells.length < column) cells.push('');
  cells[column - 1] = value;
}

describe('parseDraftPicksSheet', () => {
  test('a full sheet: 300 picks (200 majors, 20 high, 80 low), each typed, numbered and owned as built', () => {
    const result = parseDraftPicksSheet(sheet());
    assert.deepEqual(result.problems, []);
    assert.equal(result.picks.length, 300);
    assert.deepEqual(counts(result), { majors: 200, high: 20, low: 80 });
    assert.deepEqual(sorted(result.picks), allExpected());
    assert.deepEqual(
      result.groups,
      owners.map((o, g) => ({ ownerRow: headerRow(g), owners: o, pickRows: 15, cleared: 0 })),
    );
    // The upsert key (type, round, original owner) is unique across the sheet.
    assert.equal(new Set(result.picks.map((p) => `${p.type}|${p.round}|${p.originalOwnerCsv}`)).size, 300);
  });

  test('a spot check by hand: group 2, block 3 (Hana, team 8), HM1 and LM3 rows', () => {
    const result = parseDraftPicksSheet(sheet());
    // Legend 1–5, group 1 header 6, Round 7, picks 8–22, blank 23, group 2 header 24, picks 25–39: HM1 35, LM3 37.
    const at = (row: number) => result.picks.find((p) => p.row === row && p.column === 15);
    assert.deepEqual(at(35), { type: 'high', round: '1', originalOwnerCsv: 'Hana', currentOwnerCsv: 'Hana', pickNumber: 8, row: 35, column: 15 });
    // LM3 is the low draft's second round: snake, so the 8th team picks 20 - 7 = 13th, overall 20 + 13.
    assert.deepEqual(at(37), { type: 'low', round: '3', originalOwnerCsv: 'Hana', currentOwnerCsv: 'Hana', pickNumber: 33, row: 37, column: 15 });
    // Round 10 (index 9) is a majors pick; even round, so reversed: 9 × 20 + 13.
    assert.deepEqual(at(34), { type: 'majors', round: '10', originalOwnerCsv: 'Hana', currentOwnerCsv: 'Hana', pickNumber: 193, row: 34, column: 15 });
  });

  test('traded picks: the original owner is column [1], the current owner the block header', () => {
    // Swaps, as trades leave the sheet: each traded pick sits in its new holder's block, at its own row.
    const trades: Record<string, string> = { '0,0,0': 'Bea', '0,1,0': 'Akos', '3,4,12': 'Akos', '0,0,12': 'Tove', '1,2,10': 'Tove', '3,4,10': 'Hana' };
    const rows = sheet(({ group, block, index }) => {
      const originalOwner = trades[`${group},${block},${index}`];
      return originalOwner === undefined ? {} : { originalOwner };
    });
    const result = parseDraftPicksSheet(rows);
    assert.deepEqual(result.problems, []);
    assert.equal(result.picks.length, 300);
    const at = (g: number, b: number, i: number) => result.picks.find((p) => p.row === pickRow(g, i) && p.column === b * 7 + 1);
    assert.deepEqual(at(0, 0, 0), expected(0, 0, 0, 'Bea'));
    assert.deepEqual(at(0, 1, 0), expected(0, 1, 0, 'Akos'));
    assert.deepEqual(at(3, 4, 12), expected(3, 4, 12, 'Akos'));
    assert.deepEqual(at(1, 2, 10), expected(1, 2, 10, 'Tove'));
    assert.deepEqual(at(3, 4, 10), expected(3, 4, 10, 'Hana'));
    assert.deepEqual(at(0, 0, 12), expected(0, 0, 12, 'Tove'));
    assert.equal(at(3, 4, 12)?.currentOwnerCsv, 'Tove');
    assert.equal(at(3, 4, 12)?.originalOwnerCsv, 'Akos');
    // Bea's round-1 pick is the 2nd overall wherever it sits.
    assert.equal(at(0, 0, 0)?.pickNumber, 2);
  });

  test('a cleared pick in any one slot: only that pick is missing, no problem, every row keeps its type', () => {
    for (let g = 0; g < 4; g++) {
      for (let index = 0; index < 15; index++) {
        for (let b = 0; b < 5; b++) {
          const rows = sheet((slot) => ({ cleared: slot.group === g && slot.block === b && slot.index === index }));
          const result = parseDraftPicksSheet(rows);
          const label = `group ${g + 1} block ${b + 1} row ${index}`;
          assert.deepEqual(result.problems, [], label);
          assert.deepEqual(sorted(result.picks), allExpected((gg, bb, ii) => gg === g && bb === b && ii === index), label);
          assert.deepEqual(result.groups.map((x) => x.cleared), [0, 1, 2, 3].map((x) => (x === g ? 1 : 0)), label);
        }
      }
    }
  });

  test('§3.6: the first block of pick row 0 cleared in groups 2, 3 and 4: later rows keep their types, the next headers are read', () => {
    const hit = (g: number, b: number, i: number) => g > 0 && b === 0 && i === 0;
    const result = parseDraftPicksSheet(sheet((s) => ({ cleared: hit(s.group, s.block, s.index) })));
    assert.deepEqual(result.problems, []);
    assert.deepEqual(counts(result), { majors: 197, high: 20, low: 80 });
    assert.deepEqual(sorted(result.picks), allExpected(hit));
    assert.deepEqual(result.groups.map((x) => [x.ownerRow, x.owners, x.pickRows, x.cleared]), owners.map((o, g) => [headerRow(g), o, 15, g > 0 ? 1 : 0]));
  });

  test('§3.6 variants: round cell blank with OVR 0 (cleared), and the whole first block of a row blank but its filler left', () => {
    const rows = sheet();
    // Group 2 row 0, block 1: round blank, original owner kept, OVR 0.
    setCell(rows, pickRow(1, 0), 1, '');
    setCell(rows, pickRow(1, 0), 4, '0');
    // Group 3 row 0, block 1: round, owner and OVR blank, the other columns still filled.
    for (const c of [1, 2, 4]) setCell(rows, pickRow(2, 0), c, '');
    const result = parseDraftPicksSheet(rows);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(sorted(result.picks), allExpected((g, b, i) => (g === 1 || g === 2) && b === 0 && i === 0));
    assert.deepEqual(result.groups.map((x) => x.cleared), [0, 1, 1, 0]);
  });

  test('a whole first block cleared in every group: 240 picks, 15 cleared per group', () => {
    const result = parseDraftPicksSheet(sheet((s) => ({ cleared: s.block === 0 })));
    assert.deepEqual(result.problems, []);
    assert.deepEqual(counts(result), { majors: 160, high: 16, low: 64 });
    assert.deepEqual(sorted(result.picks), allExpected((_g, b) => b === 0));
    assert.deepEqual(result.groups.map((x) => [x.pickRows, x.cleared]), [[15, 15], [15, 15], [15, 15], [15, 15]]);
  });

  test('whole pick rows cleared (all 5 slots blank), in the middle, first and last row of a group, next to a separator or the end of the sheet: still 15 rows each, types right', () => {
    const hit = (g: number, _b: number, i: number) => (g === 1 && (i === 5 || i === 14)) || (g === 2 && i === 0) || (g === 3 && i === 14) || (g === 0 && (i === 10 || i === 0));
    const result = parseDraftPicksSheet(sheet((s) => ({ cleared: hit(s.group, s.block, s.index) })));
    assert.deepEqual(result.problems, []);
    assert.deepEqual(sorted(result.picks), allExpected(hit));
    assert.deepEqual(counts(result), { majors: 185, high: 15, low: 70 });
    assert.deepEqual(result.groups.map((x) => [x.pickRows, x.cleared]), [[15, 10], [15, 10], [15, 5], [15, 5]]);
  });

  test('every pick of a group cleared: the group has no pick rows to find (error), the others are read', () => {
    const result = parseDraftPicksSheet(sheet((s) => ({ cleared: s.group === 1 })));
    assert.deepEqual(sorted(result.picks), allExpected((g) => g === 1));
    assert.equal(errors(result).length, 1);
    assert.equal(errors(result)[0]?.row, headerRow(1));
    assert.match(errors(result)[0]!.message, /owner group 2 .*Finn.* has 0 pick rows/);
  });

  test('#N/A cells: an unreadable original owner or OVR is a warning at its cell; in column [4] it is ignored; as a header owner it is an error', () => {
    const rows = sheet();
    setCell(rows, pickRow(0, 3), 2, '#N/A'); // block 1 original owner
    setCell(rows, pickRow(1, 11), 7 + 4, '#N/A'); // block 2 OVR
    setCell(rows, pickRow(2, 7), 14 + 5, '#N/A'); // block 3 current owner column
    setCell(rows, headerRow(3), 28 + 1, '#N/A'); // group 4, block 5 header
    const result = parseDraftPicksSheet(rows);
    assert.deepEqual(
      warnings(result).map((p) => [p.row, p.column]),
      [
        [pickRow(0, 3), 2],
        [pickRow(1, 11), 11],
      ],
    );
    assert.match(warnings(result)[0]!.message, /block 1 \(Akos\): original owner "#N\/A" is not a name/);
    assert.match(warnings(result)[1]!.message, /block 2 \(Gus\): pick number "#N\/A" is not a whole number/);
    assert.deepEqual(errors(result).map((p) => [p.row, p.column]), [[headerRow(3), 29]]);
    assert.match(errors(result)[0]!.message, /block 5 has no owner name/);
    assert.deepEqual(
      sorted(result.picks),
      allExpected((g, b, i) => (g === 0 && b === 0 && i === 3) || (g === 1 && b === 1 && i === 11) || (g === 3 && b === 4)),
    );
    assert.equal(result.groups[3]?.owners[4], '');
  });

  test('short rows (trailing empty cells dropped, as a CSV export may) and extra columns are read the same', () => {
    const trimmed = sheet((s) => ({ cleared: s.block === 4 && s.index % 3 === 0 })).map((cells) => {
      const copy = [...cells];
      while (copy.length > 0 && copy[copy.length - 1] === '') copy.pop();
      return copy;
    });
    assert.ok(trimmed.some((cells) => cells.length < 29), 'some rows end before the last block');
    const a = parseDraftPicksSheet(trimmed);
    assert.deepEqual(a.problems, []);
    assert.deepEqual(sorted(a.picks), allExpected((_g, b, i) => b === 4 && i % 3 === 0));

    const wide = sheet(undefined, { extraColumns: 9 });
    // A sixth block's worth of pick-shaped cells beyond column 35 is not a block.
    for (let i = 0; i < 15; i++) {
      setCell(wide, pickRow(1, i), 36, labels[i]!);
      setCell(wide, pickRow(1, i), 37, 'Zed');
      setCell(wide, pickRow(1, i), 39, String(400 + i));
    }
    setCell(wide, headerRow(1), 36, 'Zed');
    const b = parseDraftPicksSheet(wide);
    assert.equal(wide[0]!.length, 44);
    assert.deepEqual(b.problems, []);
    assert.deepEqual(sorted(b.picks), allExpected());
    assert.deepEqual(b.groups[1]?.owners, owners[1]);
  });

  test('a group with 14 pick rows is an error naming it and its header row; its picks are withheld', () => {
    const rows = sheet();
    rows.splice(pickRow(1, 6) - 1, 1);
    const result = parseDraftPicksSheet(rows);
    assert.deepEqual(errors(result).map((p) => p.row), [headerRow(1)]);
    assert.match(errors(result)[0]!.message, /^owner group 2 \(header row 24: Finn, Gus, Hana, Ivo, Jun\) has 14 pick rows/);
    assert.deepEqual(result.groups.map((x) => x.pickRows), [15, 14, 15, 15]);
    assert.equal(result.picks.length, 225);
    assert.ok(result.picks.every((p) => !owners[1]!.includes(p.currentOwnerCsv)));
    // Groups 3 and 4 moved up one row but are read whole.
    assert.deepEqual(result.groups.map((x) => x.ownerRow), [headerRow(0), headerRow(1), headerRow(2) - 1, headerRow(3) - 1]);
  });

  test('a group with 16 pick rows is an error too', () => {
    const rows = sheet();
    rows.splice(pickRow(2, 4), 0, [...rows[pickRow(2, 4) - 1]!]);
    const result = parseDraftPicksSheet(rows);
    assert.deepEqual(errors(result).map((p) => p.row), [headerRow(2)]);
    assert.match(errors(result)[0]!.message, /^owner group 3 .* has 16 pick rows/);
    assert.deepEqual(result.groups.map((x) => x.pickRows), [15, 15, 16, 15]);
    assert.equal(result.picks.length, 225);
  });

  test('a stray text row is an error at its row, never a bogus owner header', () => {
    const rows = sheet();
    const between = headerRow(2) - 1; // the blank separator before group 3
    rows.splice(between, 0, ['Trade deadline: July 31']);
    const inside = pickRow(0, 4); // a note between pick rows 3 and 4 of group 1
    rows.splice(inside - 1, 0, ['', '', 'see the trade log']);
    const result = parseDraftPicksSheet(rows);
    assert.deepEqual(
      errors(result).map((p) => [p.row, p.message]),
      [
        [inside, 'unexpected row "see the trade log": neither an owner header, a pick row, a legend nor blank'],
        [between + 2, 'unexpected row "Trade deadline: July 31": neither an owner header, a pick row, a legend nor blank'],
      ],
    );
    assert.equal(result.groups.length, 4);
    assert.deepEqual(result.groups.map((x) => x.owners), owners);
    assert.equal(result.picks.length, 300);
    assert.deepEqual(counts(result), { majors: 200, high: 20, low: 80 });
  });

  test('a legend row naming a colour is skipped, even inside a group; a title-less sheet reads the same', () => {
    const rows = sheet();
    rows.splice(pickRow(3, 7) - 1, 0, ['RED = forfeited for a late payment']);
    const result = parseDraftPicksSheet(rows);
    assert.deepEqual(result.problems, []);
    assert.equal(result.picks.length, 300);
    // Legend text spread over several blocks is still a legend row.
    rows.splice(0, 0, ['GREY = used', '', '', '', '', '', '', 'BLUE = traded', '', '', '', '', '', '', 'RED = forfeited']);
    assert.deepEqual(parseDraftPicksSheet(rows).problems, []);
    const bare = parseDraftPicksSheet(sheet(undefined, { legend: false }));
    assert.deepEqual(bare.problems, []);
    assert.equal(bare.picks.length, 300);
    assert.equal(bare.groups[0]?.ownerRow, 1);
  });

  test('an owner whose name starts like a legend colour still makes an owner header', () => {
    const renamed = owners.map((o) => [...o] as Five);
    renamed[2]![0] = 'Red Sox Fan';
    renamed[3]![0] = 'Blue Steel';
    const result = parseDraftPicksSheet(buildDraftPicksSheet({ groups: renamed.map((o) => ({ owners: o })) }));
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.groups.map((g) => g.owners), renamed);
    assert.equal(result.picks.filter((p) => p.currentOwnerCsv === 'Blue Steel').length, 15);
  });

  test('a wrong CSV with many rows lists the first 10 unexpected rows, then a count', () => {
    // Rows with a number in column 4 look like pick rows, but with no owner header before them they are unexpected too.
    const rows = Array.from({ length: 25 }, (_, i) => (i % 2 === 0 ? [`Player ${i}`, 'LAA', 'OF'] : [`Player ${i}`, 'LAA', 'OF', String(i)]));
    const result = parseDraftPicksSheet(rows);
    assert.deepEqual(result.picks, []);
    assert.equal(result.problems.length, 12);
    assert.deepEqual(result.problems.slice(0, 10).map((p) => p.row), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(result.problems[1]?.message, 'pick row before any owner header row; not read');
    assert.equal(result.problems[10]?.message, '15 more unexpected rows not listed (25 in all)');
  });

  test('column [4] naming someone other than the block header is a warning naming both; the header wins', () => {
    const rows = sheet();
    setCell(rows, pickRow(1, 2), 7 + 5, 'Kai');
    setCell(rows, pickRow(1, 3), 7 + 5, '  gus '); // same owner, other case and spacing: fine
    const result = parseDraftPicksSheet(rows);
    assert.deepEqual(result.problems, [
      {
        severity: 'warning',
        row: pickRow(1, 2),
        column: 12,
        message: 'block 2 (Gus): current owner column says "Kai" but the block header says "Gus"; the header wins',
      },
    ]);
    const pick = result.picks.find((p) => p.row === pickRow(1, 2) && p.column === 8);
    assert.equal(pick?.currentOwnerCsv, 'Gus');
    assert.equal(result.picks.length, 300);
  });

  test('half-filled picks are warnings at the cell: OVR without an original owner, OVR "x", round blank', () => {
    const rows = sheet();
    setCell(rows, pickRow(0, 0), 2, '');
    setCell(rows, pickRow(2, 12), 21 + 4, 'x');
    setCell(rows, pickRow(3, 9), 1, '');
    const result = parseDraftPicksSheet(rows);
    assert.deepEqual(
      result.problems.map((p) => [p.severity, p.row, p.column, p.message]),
      [
        ['warning', pickRow(0, 0), 2, 'block 1 (Akos): pick 1 has no original owner; pick not read'],
        ['warning', pickRow(2, 12), 25, 'block 4 (Nia): pick number "x" is not a whole number; pick not read'],
        ['warning', pickRow(3, 9), 1, 'block 1 (Pia): round "" is not a round number; pick not read'],
      ],
    );
    assert.equal(result.picks.length, 297);
    assert.deepEqual(result.groups.map((x) => x.cleared), [0, 0, 0, 0]);
  });

  test('a round label naming another type than the row position is an error (the type is part of the upsert key)', () => {
    const rows = sheet();
    setCell(rows, pickRow(1, 10), 7 + 1, 'LM1');
    setCell(rows, pickRow(2, 11), 1, 'HM1');
    setCell(rows, pickRow(3, 3), 1, 'LM4');
    const result = parseDraftPicksSheet(rows);
    assert.deepEqual(
      result.problems.map((p) => [p.severity, p.row, p.column]),
      [
        ['error', pickRow(1, 10), 8],
        ['error', pickRow(2, 11), 1],
        ['error', pickRow(3, 3), 1],
      ],
    );
    assert.match(result.problems[0]!.message, /block 2 \(Gus\): round label "LM1" names a low pick but the row's position in its group makes it high/);
    // Typed by position, as §3.3 says.
    assert.equal(result.picks.find((p) => p.row === pickRow(1, 10) && p.column === 8)?.type, 'high');
  });

  test('the same pick twice (type, round and original owner: the upsert key) is a warning at the second', () => {
    const rows = sheet(({ group, block, index }) => (group === 2 && block === 1 && index === 4 ? { originalOwner: 'Akos' } : {}));
    const result = parseDraftPicksSheet(rows);
    assert.deepEqual(result.problems, [
      {
        severity: 'warning',
        row: pickRow(2, 4),
        column: 8,
        message: `Akos's majors round 5 pick is listed twice (also row ${pickRow(0, 4)}, column 1); the sync keeps one`,
      },
    ]);
    assert.equal(result.picks.length, 300);
  });

  test('three owner groups instead of four is a sheet-wide error', () => {
    const rows = sheet().slice(0, headerRow(3) - 1);
    const result = parseDraftPicksSheet(rows);
    assert.deepEqual(result.problems, [{ severity: 'error', message: 'found 3 owner groups, expected 4' }]);
    assert.equal(result.picks.length, 225);
  });

  test('a totally different CSV yields no picks and an error', () => {
    const players = [
      ['Player', 'Team', 'Pos', 'Owner', 'Keeper', 'Salary'],
      ['Mike Trout', 'LAA', 'OF', 'Akos', 'Y', '45'],
      ['Shohei Ohtani', 'LAD', 'DH', 'Bea', 'Y', '60'],
      ['Aaron Judge', 'NYY', 'OF', 'Cass', 'N', '52'],
    ];
    const result = parseDraftPicksSheet(players);
    assert.deepEqual(result.picks, []);
    assert.ok(errors(result).length > 0);
    assert.ok(result.problems.some((p) => p.severity === 'error' && /does not look like the draft-picks sheet/.test(p.message)));
    const empty = parseDraftPicksSheet([]);
    assert.deepEqual(empty, { picks: [], groups: [], problems: [{ severity: 'error', message: 'no owner header row found: this does not look like the draft-picks sheet' }] });
  });
});

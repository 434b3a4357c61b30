import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMinorsSheet, type MinorSheetPlayer, type MinorsSheet } from '../../../src/jobs/sheets/minors-parse.ts';
import type { SheetProblem } from '../../../src/jobs/sheets/sheet-problems.ts';
import { buildMinorsSheet, type MinorsLeagueSpec, type MinorsSheetGroupSpec, type MinorsSheetPlayerSpec } from '../../../dev/jobs/sheets/minors-sheet.ts';

const FIRST = ['Jackson', 'Marco', 'Ethan', 'Luis', 'Carson', 'Dylan', 'Roman', 'Owen', 'Jasson', 'Termarr', 'Colt', 'Sebastian', 'Walker', 'Kevin', 'Noah', 'Cam'];
const LAST = ['Holliday', 'Luciano', 'Salas', 'Montero', 'Williams', 'Crews', 'Anthony', 'Caissie', 'Dominguez', 'Johnson', 'Keith', 'Walcott', 'Jenkins', 'McGonigle', 'Schultz', 'Collier'];
const TEAMS = ['CWS', 'CLE', 'BAL', 'NYY', 'LAD', 'SEA', 'TB', 'ATL', 'SD', 'MIL', 'KC'];
const POSITIONS = ['P', 'C', '1B', '2B', '3B', 'SS', 'OF'];
const OWNERS = ['Akeem', 'Bryce', 'Cam', 'Dave K', 'Elena', 'Flex', 'Gus', 'Hiro', 'Ines', 'Jo', 'Kyle', 'Lou', 'Mina', 'Nate', 'Omar', 'Pia', 'Quinn', 'Ravi', 'Sol', 'Tess'];

/** HM count per owner: 7, 4, 6 in turn, except owner 7 (group 2, block 3) who holds 9 (two rows past the 7 slots). */
const hmCount = (owner: number) => (owner === 7 ? 9 : [7, 4, 6][owner % 3] as number);
/** LM count per owner: 7, 5, 6, 6 in turn. */
const lmCount = (owner: number) => [7, 5, 6, 6][owner % 4] as number;

/** 4 groups × 5 owners with distinct generated prospects, annotations and flags like the real sheet's. */
function realisticLeague(): MinorsSheetGroupSpec[] {
  let n = 0;
  const next = (leagueLevel: 'HM' | 'LM'): MinorsSheetPlayerSpec => {
    const i = n++;
    return {
      name: `${FIRST[i % 16]} ${LAST[Math.floor(i / 16) % 16]}`,
      leagueLevel,
      position: POSITIONS[i % POSITIONS.length] as string,
      mlbTeam: TEAMS[i % TEAMS.length] as string,
      annotation: i % 5 === 0 ? '*' : i % 7 === 0 ? '**' : i % 11 === 0 ? 'X' : '',
      keep: i % 2 === 0,
      trade: i % 9 === 0,
    };
  };
  return [0, 1, 2, 3].map((g) => {
    const owners = OWNERS.slice(g * 5, g * 5 + 5) as unknown as MinorsSheetGroupSpec['owners'];
    const players = [0, 1, 2, 3, 4].map((b) => {
      const owner = g * 5 + b;
      // LM first in the description: the builder still renders HM rows first.
      const lm = Array.from({ length: lmCount(owner) }, () => next('LM'));
      const hm = Array.from({ length: hmCount(owner) }, () => next('HM'));
      return [...lm, ...hm];
    });
    return { owners, players };
  });
}

const FULL: MinorsLeagueSpec = { groups: realisticLeague(), legend: true, footer: true };
const TOTAL_PLAYERS = 238; // Σ hmCount + lmCount over the 20 owners: 118 HM + 120 LM

/** The players the description holds, as the parser should report them (without positions in the sheet). */
function expectedPlayers(groups: readonly MinorsSheetGroupSpec[]): string[] {
  return groups.flatMap((group) => group.players.flatMap((players, b) => players.map((p) => `${group.owners[b]}|${p.leagueLevel}|${p.name}|${p.position}|${p.mlbTeam}`))).sort();
}

function summary(players: readonly MinorSheetPlayer[]): string[] {
  return players.map((p) => `${p.ownerCsvName}|${p.leagueLevel}|${p.name}|${p.position}|${p.mlbTeam}`).sort();
}

function messages(problems: readonly SheetProblem[]): string[] {
  return problems.map((p) => `${p.severity} ${p.row ?? '-'}:${p.column ?? '-'} ${p.message}`);
}

/** Player rows of a group: header row + 1 … */
const GROUP_HEADER_ROWS = [1, 17, 35, 51];

describe('parseMinorsSheet: a full league sheet', () => {
  const rows = buildMinorsSheet(FULL);
  const sheet = parseMinorsSheet(rows);

  test('the built sheet has the real layout: 45 columns, 4 groups, legend and footer', () => {
    assert.equal(rows.length, 71);
    assert.ok(rows.every((r) => r.length === 45));
    assert.deepEqual(GROUP_HEADER_ROWS.map((r) => rows[r - 1]?.slice(0, 4)), [['1', '0', '', 'Akeem'], ['2', '0', '', 'Flex'], ['3', '0', '', 'Kyle'], ['4', '0', '', 'Pia']]);
    assert.deepEqual(rows[70]?.slice(0, 2), ['Row', 'Level']);
  });

  test('reads every player once, with its owner, level, position and team, and no problems', () => {
    assert.equal(sheet.players.length, TOTAL_PLAYERS);
    assert.equal(sheet.players.filter((p) => p.leagueLevel === 'HM').length, 118);
    assert.deepEqual(summary(sheet.players), expectedPlayers(FULL.groups));
    assert.deepEqual(messages(sheet.problems), []);
  });

  test('reads the 20 owners with their place', () => {
    assert.equal(sheet.owners.length, 20);
    assert.deepEqual(sheet.owners.map((o) => o.csvName), OWNERS);
    assert.deepEqual(sheet.owners[8], { csvName: 'Ines', row: 17, column: 31, group: 2, block: 3 });
    assert.deepEqual(sheet.owners[0], { csvName: 'Akeem', row: 1, column: 4, group: 1, block: 0 });
  });

  test('places players at their row and name column under the right group', () => {
    const group2 = FULL.groups[1] as MinorsSheetGroupSpec;
    const hiroHm = (group2.players[2] ?? []).filter((p) => p.leagueLevel === 'HM');
    // Hiro (group 2, block 3) holds 9 HM: slots 8 and 9 extend the group to rows 18-26.
    const ninth = hiroHm[8] as MinorsSheetPlayerSpec;
    assert.deepEqual(find(sheet, ninth.name), { name: ninth.name, leagueLevel: 'HM', position: ninth.position, mlbTeam: ninth.mlbTeam, ownerCsvName: 'Hiro', row: 26, column: 22, group: 2 });
    // Tess (group 4, block 5), second LM: LM rows of group 4 start at 59.
    const tessLm = ((FULL.groups[3] as MinorsSheetGroupSpec).players[4] ?? []).filter((p) => p.leagueLevel === 'LM');
    const second = tessLm[1] as MinorsSheetPlayerSpec;
    assert.deepEqual(find(sheet, second.name), { name: second.name, leagueLevel: 'LM', position: second.position, mlbTeam: second.mlbTeam, ownerCsvName: 'Tess', row: 60, column: 40, group: 4 });
    // Akeem's first HM: row 2, column D.
    const akeemHm = ((FULL.groups[0] as MinorsSheetGroupSpec).players[0] ?? []).find((p) => p.leagueLevel === 'HM') as MinorsSheetPlayerSpec;
    assert.deepEqual(find(sheet, akeemHm.name), { name: akeemHm.name, leagueLevel: 'HM', position: akeemHm.position, mlbTeam: akeemHm.mlbTeam, ownerCsvName: 'Akeem', row: 2, column: 4, group: 1 });
  });

  test('each player\'s group is the header row above it, whose owner in that block is the player\'s', () => {
    const ownerOf = new Map(sheet.owners.map((o) => [`${o.group}|${o.column}`, o.csvName]));
    assert.deepEqual(sheet.players.filter((p) => ownerOf.get(`${p.group}|${p.column}`) !== p.ownerCsvName), []);
    assert.deepEqual([1, 2, 3, 4].map((g) => sheet.players.filter((p) => p.group === g).length), [59, 64, 57, 58]); // 28+31, 35+29, 27+30, 28+30 (HM+LM)
    assert.ok(sheet.players.every((p) => p.row > (GROUP_HEADER_ROWS[p.group - 1] as number) && p.row < (GROUP_HEADER_ROWS[p.group] ?? 66)));
  });

  test('players come in sheet order: row by row, block by block', () => {
    const order = sheet.players.map((p) => p.row * 100 + p.column);
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
  });

  test('short rows are padded: a CSV with trailing empty cells cut reads the same', () => {
    const ragged = rows.map((r) => {
      let end = r.length;
      while (end > 0 && r[end - 1] === '') end--;
      return r.slice(0, end);
    });
    assert.ok(ragged.some((r) => r.length < 45 && r.length > 0), 'the fixture has short rows');
    assert.ok(ragged.some((r) => r.length === 0), 'the fixture has empty rows');
    assert.deepEqual(parseMinorsSheet(ragged), sheet);
  });

  test('extra columns past the 5 blocks are ignored, even when they look like a sixth block', () => {
    const wide = buildMinorsSheet({ ...FULL, extraColumns: 9 }).map((r, i) => (i === 1 ? [...r.slice(0, 45), '1', 'HM', '1', 'Ghost Player', '', 'SS', 'NYY', 'TRUE', 'FALSE'] : r));
    assert.equal(wide[0]?.length, 54);
    assert.equal(wide[0]?.[45], 'group 1 updated');
    const parsed = parseMinorsSheet(wide);
    assert.deepEqual(parsed, sheet);
  });

  test('blank unused slots read the same as #N/A ones', () => {
    const blankSlots = buildMinorsSheet({ ...FULL, emptySlots: 'blank' });
    assert.ok(rows.some((r) => r[2] === '#N/A' && r[3] === '#N/A'), 'the default fixture has #N/A slots');
    assert.ok(!blankSlots.some((r) => r.includes('#N/A')));
    assert.deepEqual(parseMinorsSheet(blankSlots), sheet);
  });

  test('without legend and footer: the same players', () => {
    const bare = parseMinorsSheet(buildMinorsSheet({ ...FULL, legend: false, footer: false }));
    assert.deepEqual(bare, sheet);
  });
});

describe('parseMinorsSheet: the Elixir parser\'s defects (jobs-reference §2.6)', () => {
  test('first block\'s level blank on a player row: the other blocks\' players are still read', () => {
    const rows = buildMinorsSheet(FULL);
    const row = 3; // group 1, HM slot 2
    const akeemSecond = rows[row - 1]?.[3] as string;
    (rows[row - 1] as string[])[1] = '';
    const sheet = parseMinorsSheet(rows);
    assert.equal(sheet.players.length, TOTAL_PLAYERS - 1);
    assert.deepEqual(sheet.players.filter((p) => p.row === row).map((p) => `${p.ownerCsvName}@${p.column}`), ['Bryce@13', 'Cam@22', 'Dave K@31', 'Elena@40']);
    assert.equal(find(sheet, akeemSecond), undefined);
    assert.deepEqual(messages(sheet.problems), [`warning 3:2 block 1: "${akeemSecond}" has level blank (expected HM or LM); skipped`]);
  });

  test('first block\'s owner blank on a header row: the other 4 owners are read, and that block\'s players are reported, never given to the previous group\'s owner', () => {
    const rows = buildMinorsSheet(FULL);
    (rows[16] as string[])[3] = ''; // group 2's header, block 1 (Flex)
    const sheet = parseMinorsSheet(rows);
    assert.deepEqual(sheet.owners.filter((o) => o.group === 2).map((o) => o.csvName), ['Gus', 'Hiro', 'Ines', 'Jo']);
    assert.equal(sheet.players.length, TOTAL_PLAYERS);
    const orphans = sheet.players.filter((p) => p.group === 2 && p.column === 4);
    assert.equal(orphans.length, hmCount(5) + lmCount(5));
    assert.ok(orphans.every((p) => p.ownerCsvName === ''));
    assert.equal(sheet.players.filter((p) => p.ownerCsvName === 'Akeem').length, hmCount(0) + lmCount(0), 'Akeem keeps only his own players');
    assert.equal(sheet.players.filter((p) => p.ownerCsvName === 'Flex').length, 0);
    const errors = sheet.problems.filter((p) => p.severity === 'error');
    assert.equal(errors.length, 1 + orphans.length);
    assert.deepEqual(messages(errors.slice(0, 2)), [
      'error 17:4 block 1: the owner name on this owner-header row is blank; the block\'s players until the next header have no owner',
      `error 18:4 block 1: "${orphans[0]?.name}" has no owner (the owner-header row 17 names none for this block)`,
    ]);
    assert.deepEqual(sheet.problems.filter((p) => p.severity === 'warning'), []);
  });

  test('first block entirely blank on a header row: still a header, the next group does not inherit group 1\'s owners', () => {
    const rows = buildMinorsSheet(FULL);
    const header = rows[16] as string[];
    header.splice(0, 9, '', '', '', '', '', '', '', '', '');
    const sheet = parseMinorsSheet(rows);
    assert.equal(sheet.owners.length, 19);
    assert.deepEqual(new Set(sheet.players.filter((p) => p.group === 2).map((p) => p.ownerCsvName)), new Set(['', 'Gus', 'Hiro', 'Ines', 'Jo']));
    assert.equal(sheet.players.filter((p) => p.ownerCsvName === 'Bryce').length, hmCount(1) + lmCount(1));
  });

  test('first block\'s level blank on a header row: the owner is still read, with a warning', () => {
    const rows = buildMinorsSheet(FULL);
    (rows[34] as string[])[1] = ''; // group 3's header (Kyle)
    const sheet = parseMinorsSheet(rows);
    assert.deepEqual(sheet.owners.filter((o) => o.group === 3).map((o) => o.csvName), ['Kyle', 'Lou', 'Mina', 'Nate', 'Omar']);
    assert.equal(sheet.players.filter((p) => p.ownerCsvName === 'Kyle').length, hmCount(10) + lmCount(10));
    assert.deepEqual(messages(sheet.problems), ['warning 35:2 block 1: level is blank on an owner-header row (expected "0"); owner "Kyle" read anyway']);
  });

  test('first-block-only classification: an owner with no prospects (block 1 blank on every row) does not hide the group\'s other players', () => {
    const groups = realisticLeague();
    const g3 = groups[2] as MinorsSheetGroupSpec;
    const emptied: MinorsSheetGroupSpec = { owners: g3.owners, players: [[], ...g3.players.slice(1)] };
    const league: MinorsLeagueSpec = { groups: [groups[0], groups[1], emptied, groups[3]] as MinorsSheetGroupSpec[], emptySlots: 'blank' };
    const rows = buildMinorsSheet(league);
    assert.ok(rows.slice(35, 49).every((r) => r.slice(0, 9).every((c) => c === '')), 'block 1 of group 3 is blank');
    const sheet = parseMinorsSheet(rows);
    assert.equal(sheet.players.length, TOTAL_PLAYERS - hmCount(10) - lmCount(10));
    assert.deepEqual(summary(sheet.players), expectedPlayers(league.groups));
    assert.equal(sheet.players.filter((p) => p.ownerCsvName === 'Lou').length, hmCount(11) + lmCount(11));
    assert.deepEqual(sheet.problems, []);
  });

  test('first-block-only classification: block 1 says LM while the other blocks are HM players; each block\'s own level counts', () => {
    const rows: string[][] = [
      block('1', '0', '', 'Ann').concat(block('1', '0', '', 'Ben'), block('1', '0', '', 'Cy'), block('1', '0', '', 'Di'), block('1', '0', '', 'Ed')),
      block('1', 'LM', '#N/A', '#N/A').concat(block('1', 'HM', '1', 'Bo Naylor', '', 'C', 'CLE'), block('1', 'HM', '1', 'Al Pal', '', 'P', 'TB'), block('', '', '', ''), block('1', 'LM', '1', 'Zed Q', '', 'OF', 'SD')),
    ];
    const sheet = parseMinorsSheet(rows);
    assert.deepEqual(sheet.players.map((p) => `${p.ownerCsvName}|${p.leagueLevel}|${p.name}|${p.column}`), ['Ben|HM|Bo Naylor|13', 'Cy|HM|Al Pal|22', 'Ed|LM|Zed Q|40']);
    assert.deepEqual(sheet.problems, []);
  });
});

describe('parseMinorsSheet: problems it reports', () => {
  const header = (...owners: string[]) => owners.flatMap((o) => block('1', '0', '', o, '', '', '', 'K', 'T'));

  test('a player before any owner header: an error, and no owner', () => {
    const rows = [block('1', 'HM', '1', 'Early Bird', '', 'SS', 'NYY'), header('A', 'B', 'C', 'D', 'E'), block('1', 'HM', '1', 'On Time', '', 'P', 'SEA')];
    const sheet = parseMinorsSheet(rows);
    assert.deepEqual(sheet.players.map((p) => `${p.ownerCsvName}|${p.name}|${p.group}`), ['|Early Bird|0', 'A|On Time|1']);
    assert.deepEqual(messages(sheet.problems), ['error 1:4 block 1: "Early Bird" comes before any owner-header row; it has no owner']);
  });

  test('an unknown position, an empty or #N/A MLB team, a bad level: warnings at the cell', () => {
    const rows = [
      header('A', 'B', 'C', 'D', 'E'),
      block('1', 'HM', '1', 'Two Way', '', 'DH', 'LAA').concat(block('1', 'LM', '1', 'No Team', '', '2B', ''), block('1', 'XM', '1', 'Bad Level', '', 'P', 'TB'), block('1', 'HM', '1', 'NA Team', '', 'of', '#N/A')),
    ];
    const sheet = parseMinorsSheet(rows);
    assert.deepEqual(sheet.players.map((p) => `${p.ownerCsvName}|${p.name}|${p.position}|${p.mlbTeam}`), ['A|Two Way|DH|LAA', 'B|No Team|2B|', 'D|NA Team|OF|']);
    assert.deepEqual(messages(sheet.problems), [
      'warning 2:6 block 1: "Two Way" has position "DH" (expected one of P C 1B 2B 3B SS OF)',
      'warning 2:16 block 2: "No Team" has no MLB team',
      'warning 2:20 block 3: "Bad Level" has level "XM" (expected HM or LM); skipped',
      'warning 2:34 block 4: "NA Team" has no MLB team',
    ]);
  });

  test('the same player twice under one owner: kept once, the second listing warned', () => {
    const rows = [
      header('A', 'B', 'C', 'D', 'E'),
      block('1', 'HM', '1', 'Jackson Holliday', '', 'SS', 'BAL').concat(block('1', 'HM', '1', 'Jackson Holliday', '', 'SS', 'BAL')),
      block('1', 'HM', '2', 'jackson  holliday', '*', 'ss', 'bal'),
      block('1', 'LM', '1', 'Jackson Holliday', '', 'SS', 'BAL'),
    ];
    const sheet = parseMinorsSheet(rows);
    // Under another owner, or at another level, it is a different listing: kept (the sync decides).
    assert.deepEqual(sheet.players.map((p) => `${p.ownerCsvName}|${p.leagueLevel}|${p.name}|${p.row}`), ['A|HM|Jackson Holliday|2', 'B|HM|Jackson Holliday|2', 'A|LM|Jackson Holliday|4']);
    assert.deepEqual(messages(sheet.problems), [
      'warning 3:4 block 1: "jackson holliday" (HM, SS, bal) is listed twice for owner "A" (first at row 2, column 4); the second listing is ignored',
    ]);
  });

  test('non-breaking spaces and repeated inner whitespace in names and owners become one space', () => {
    const rows = [header('\u00a0Dave\u00a0\u00a0K ', 'B', 'C', 'D', 'E'), block('1', ' HM ', '1', '  Jos\u00e9\u00a0 Ram\u00edrez\u00a0', '', ' 3B\u00a0', ' CLE ')];
    const sheet = parseMinorsSheet(rows);
    assert.deepEqual(sheet.owners[0]?.csvName, 'Dave K');
    assert.deepEqual(sheet.players.map((p) => [p.name, p.leagueLevel, p.position, p.mlbTeam, p.ownerCsvName]), [['Jos\u00e9 Ram\u00edrez', 'HM', '3B', 'CLE', 'Dave K']]);
    assert.deepEqual(sheet.problems, []);
  });

  test('a player on an owner-header row: an error, skipped, and that block has no owner until the next header', () => {
    const rows = [
      header('A', 'B').concat(block('1', 'HM', '1', 'Stray Guy', '', 'P', 'SD'), header('D', 'E')),
      block('1', 'HM', '1', 'Under A', '', 'P', 'SD').concat(block('', '', '', ''), block('1', 'LM', '1', 'Under Nobody', '', 'C', 'TB')),
    ];
    const sheet = parseMinorsSheet(rows);
    assert.deepEqual(sheet.owners.map((o) => `${o.csvName}@${o.block}`), ['A@0', 'B@1', 'D@3', 'E@4']);
    assert.deepEqual(sheet.players.map((p) => `${p.ownerCsvName}|${p.name}`), ['A|Under A', '|Under Nobody']);
    assert.deepEqual(messages(sheet.problems), [
      'error 1:22 block 3: player "Stray Guy" (level HM) is on an owner-header row; skipped, and the block has no owner until the next header',
      'error 2:22 block 3: "Under Nobody" has no owner (the owner-header row 1 names none for this block)',
    ]);
  });

  test('a formula error other than #N/A in a name cell is warned and skipped', () => {
    const rows = [header('A', 'B', 'C', 'D', 'E'), block('1', 'HM', '1', '#REF!').concat(block('1', 'HM', '1', 'Real Guy', '', 'C', 'KC'))];
    const sheet = parseMinorsSheet(rows);
    assert.deepEqual(sheet.players.map((p) => p.name), ['Real Guy']);
    assert.deepEqual(messages(sheet.problems), ['warning 2:4 block 1: the name cell shows the spreadsheet error #REF!; skipped']);
  });

  test('a sheet with only a legend and a footer: zero players, one error, no crash', () => {
    const rows = buildMinorsSheet({ groups: [], legend: true, footer: true });
    assert.ok(rows.length >= 5);
    const sheet = parseMinorsSheet(rows);
    assert.deepEqual(sheet.players, []);
    assert.deepEqual(sheet.owners, []);
    assert.equal(sheet.problems.length, 1);
    assert.equal(sheet.problems[0]?.severity, 'error');
    assert.match(sheet.problems[0]?.message ?? '', /^no owner header row found/);
  });

  test('a CSV from another sheet (the draft-pick layout): zero players and an error saying no owner header was found', () => {
    const owners = ['Akeem', 'Bryce', 'Cam', 'Dave K', 'Elena'];
    const rows: string[][] = [owners.flatMap((o) => [o, 'Round', 'Pick', 'Original owner', 'Overall', '', ''])];
    for (let pick = 0; pick < 15; pick++) {
      rows.push(owners.flatMap((o, i) => [pick < 10 ? 'Majors' : pick === 10 ? 'High Minors' : 'Low Minors', String(pick + 1), String(i + 1), owners[(i + pick) % 5] as string, String(pick * 20 + i), '', '']));
    }
    const sheet = parseMinorsSheet(rows);
    assert.deepEqual(sheet.players, []);
    assert.deepEqual(messages(sheet.problems), ['error -:- no owner header row found (a row with level "0" and an owner name in a block): this does not look like the minor-league sheet (16 rows read)']);
  });

  test('random text, an empty CSV, and empty rows: no players, no throw', () => {
    const text = parseMinorsSheet([['<!DOCTYPE html>'], ['<html><body>Sign in - Google Accounts</body></html>'], []]);
    assert.deepEqual(text.players, []);
    assert.deepEqual(text.problems.map((p) => p.severity), ['error']);
    const empty = parseMinorsSheet([]);
    assert.deepEqual(empty.players, []);
    assert.match(empty.problems[0]?.message ?? '', /no owner header row found .*\(0 rows read\)/);
  });
});

function find(sheet: MinorsSheet, name: string): MinorSheetPlayer | undefined {
  return sheet.players.find((p) => p.name === name);
}

/** One 9-column block: group, level, slot, name, annotation, position, team, keep, trade. */
function block(group: string, level: string, slot: string, name: string, annotation = '', position = '', team = '', keep = 'FALSE', trade = 'FALSE'): string[] {
  return [group, level, slot, name, annotation, position, team, keep, trade];
}

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PermanentJobError } from '../../../src/jobs/outcomes.ts';
import { checkMinorsSheet, checkUnownCap, minorsGuardError } from '../../../src/jobs/sheets/minors-guards.ts';
import type { MinorSheetPlayer, MinorsSheet, OwnerHeader } from '../../../src/jobs/sheets/minors-parse.ts';
import { loadMinorRows, planMinorsSync, writeMinorsPlan, type MinorRow, type SheetMeta } from '../../../src/jobs/sheets/minors-write.ts';
import { ownerMapOf } from '../../../src/jobs/sheets/sheet-owners.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';

const TEAM_A = '00000000-0000-4000-8000-00000000000a';
const TEAM_B = '00000000-0000-4000-8000-00000000000b';
const owners = ownerMapOf([
  { csvName: 'Alice', teamId: TEAM_A },
  { csvName: '  Bob   SMITH ', teamId: TEAM_B },
]);

let nextRow = 1;
function player(name: string, leagueLevel: 'HM' | 'LM', position: string, mlbTeam: string, ownerCsvName = 'Alice'): MinorSheetPlayer {
  return { name, leagueLevel, position, mlbTeam, ownerCsvName, row: nextRow++, column: 4, group: 1 };
}

function row(id: number, name: string, mlbTeam: string | null, leagueTeamId: string | null, sheet?: SheetMeta): MinorRow {
  return { id: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`, name, mlbTeam, leagueTeamId, sheet, position: sheet?.position };
}

const plan = (players: MinorSheetPlayer[], rows: MinorRow[], ownerNames?: string[]) => planMinorsSync(players, rows, { teamOf: owners.teamOf, ownerNames });

describe('planMinorsSync: the §2.6 sync defects', () => {
  test('an unresolved owner never un-owns: his matched rows and his team\'s other minors stay owned', () => {
    const typo = player('Kept Guy', 'HM', 'P', 'SEA', 'Bbo Smith');
    const rows = [
      row(1, 'Kept Guy', 'SEA', TEAM_B), // on the sheet under the typo
      row(2, 'Other B', 'NYY', TEAM_B), // team B's, not on the sheet
      row(3, 'Left A', 'SEA', TEAM_A), // team A's, not on the sheet: cleared
    ];
    const result = plan([typo, player('A One', 'HM', 'C', 'SEA')], rows, ['Alice', 'Bbo Smith']);
    assert.deepEqual(result.skippedNoOwner, [typo]);
    assert.deepEqual(result.unknownOwners, ['Bbo Smith']);
    assert.deepEqual(result.updates, [], 'nothing written for the typo\'s player');
    assert.deepEqual(result.clears, [rows[2]?.id], 'only team A\'s leaver');
    assert.equal(result.keptUnlisted, 1);
    assert.equal(result.currentlyOwned, 3);
  });

  test('duplicate sheet rows insert once', () => {
    const first = player('New Kid', 'LM', 'SS', 'CLE', 'Alice');
    const second = player('new kid ', 'LM', 'SS', 'cle', 'Bob Smith');
    const result = plan([first, second], []);
    assert.deepEqual(result.inserts, [{ player: first, teamId: TEAM_A }]);
    assert.deepEqual(result.duplicates, [second]);
  });

  test('two sheet rows falling back to one DB row: only the first matches it, the other inserts', () => {
    const pitcher = player('John Doe', 'HM', 'P', 'SEA');
    const outfielder = player('John Doe', 'LM', 'OF', 'SEA', 'Bob Smith');
    const legacy = row(1, 'John Doe', 'SEA', null);
    const result = plan([pitcher, outfielder], [legacy]);
    assert.deepEqual(result.updates, [{ rowId: legacy.id, player: pitcher, teamId: TEAM_A, matchedBy: 'fallback' }]);
    assert.deepEqual(result.inserts, [{ player: outfielder, teamId: TEAM_B }]);
  });

  test('an exact meta match is not stolen by an earlier player\'s fallback', () => {
    const newcomer = player('Jo Roe', 'HM', 'P', 'SEA');
    const known = player('Jo Roe', 'LM', 'C', 'SEA');
    const rowOfKnown = row(1, 'Jo Roe', 'SEA', TEAM_A, { name: 'Jo Roe', leagueLevel: 'LM', mlbTeam: 'SEA', position: 'C' });
    const result = plan([newcomer, known], [rowOfKnown]);
    assert.deepEqual(result.updates.map((u) => [u.player, u.matchedBy]), [[known, 'meta']]);
    assert.deepEqual(result.inserts.map((i) => i.player), [newcomer]);
  });

  test('a level and MLB team change at once matches by name + position instead of inserting a duplicate', () => {
    const moved = player('Sam Hill', 'LM', '2B', 'NYY');
    const old = row(1, 'Sam Hill', 'BOS', TEAM_A, { name: 'Sam Hill', leagueLevel: 'HM', mlbTeam: 'BOS', position: '2B' });
    const result = plan([moved], [old]);
    assert.deepEqual(result.updates, [{ rowId: old.id, player: moved, teamId: TEAM_A, matchedBy: 'namePosition' }]);
    assert.deepEqual(result.inserts, []);
    assert.deepEqual(result.clears, []);
  });

  test('name + position never guesses between namesakes: two candidate rows → insert', () => {
    const moved = player('Sam Hill', 'LM', '2B', 'NYY');
    const rows = [
      row(1, 'Sam Hill', 'BOS', null, { name: 'Sam Hill', leagueLevel: 'HM', mlbTeam: 'BOS', position: '2B' }),
      row(2, 'Sam Hill', 'TEX', null, { name: 'Sam Hill', leagueLevel: 'HM', mlbTeam: 'TEX', position: '2B' }),
    ];
    const result = plan([moved], rows);
    assert.deepEqual(result.updates, []);
    assert.deepEqual(result.inserts.map((i) => i.player), [moved]);
  });

  test('owner names match after normalising case and whitespace', () => {
    const p = player('Case Guy', 'HM', 'C', 'SEA', 'bob smith');
    const q = player('Space Guy', 'HM', 'C', 'SEA', ' ALICE ');
    const result = plan([p, q], [row(1, 'Case Guy', 'SEA', null)]);
    assert.deepEqual(result.skippedNoOwner, []);
    assert.equal(result.updates[0]?.teamId, TEAM_B);
    assert.equal(result.inserts[0]?.teamId, TEAM_A);
  });

  test('deterministic: the same meta key on two rows goes to the lower id, whatever the input order', () => {
    const p = player('Twin', 'HM', 'P', 'SEA');
    const meta = { name: 'Twin', leagueLevel: 'HM', mlbTeam: 'SEA', position: 'P' };
    const low = row(1, 'Twin', 'SEA', TEAM_A, meta);
    const high = row(2, 'Twin', 'SEA', TEAM_A, meta);
    assert.equal(plan([p], [high, low]).updates[0]?.rowId, low.id);
    assert.equal(plan([p], [low, high]).updates[0]?.rowId, low.id);
    assert.deepEqual(plan([p], [high, low]).clears, [high.id], 'the unmatched twin leaves');
  });
});

describe('minors guards', () => {
  const header = (csvName: string, block: number): OwnerHeader => ({ csvName, row: 1, column: block * 9 + 4, group: 1, block });
  const settings = { expectedOwners: 2, minorsPerOwner: { min: 1, max: 2 }, minorsUnownMaxShare: 0.25 };
  const sheetOf = (players: MinorSheetPlayer[], ownerHeaders = [header('Alice', 0), header('Bob Smith', 1)]): MinorsSheet => ({ players, owners: ownerHeaders, problems: [] });

  test('a plausible sheet passes', () => {
    assert.deepEqual(checkMinorsSheet(sheetOf([player('a', 'HM', 'P', 'SEA'), player('b', 'HM', 'P', 'SEA', 'Bob Smith')]), settings), []);
  });

  test('parser errors block, warnings do not', () => {
    const sheet = { ...sheetOf([player('a', 'HM', 'P', 'SEA'), player('b', 'HM', 'P', 'SEA', 'Bob Smith')]), problems: [
      { severity: 'error' as const, row: 3, message: 'bad' },
      { severity: 'warning' as const, row: 4, message: 'meh' },
    ] };
    assert.deepEqual(checkMinorsSheet(sheet, settings).map((p) => p.message), ['bad']);
  });

  test('owner headers must be the expected count, none twice', () => {
    const messages = checkMinorsSheet(sheetOf([player('a', 'HM', 'P', 'SEA')], [header('Alice', 0), header('alice ', 1), header('Carl', 2)]), settings).map((p) => p.message);
    assert.ok(messages.some((m) => m.includes('found 3 owner headers, expected 2')), messages.join('\n'));
    assert.ok(messages.some((m) => m.includes('owner "alice " heads a second block')), messages.join('\n'));
  });

  test('players per owner within min..max', () => {
    const messages = checkMinorsSheet(sheetOf([1, 2, 3].map((i) => player(`a${i}`, 'HM', 'P', 'SEA'))), settings).map((p) => p.message);
    assert.deepEqual(messages, ['owner "Alice" lists 3 minor leaguers, outside 1..2 (MINORS_MIN_PER_OWNER..MINORS_MAX_PER_OWNER)', 'owner "Bob Smith" lists 0 minor leaguers, outside 1..2 (MINORS_MIN_PER_OWNER..MINORS_MAX_PER_OWNER)']);
  });

  test('the un-own cap: floor(share × owned), inclusive', () => {
    assert.equal(checkUnownCap(5, 20, 0.25), undefined);
    assert.match(checkUnownCap(6, 20, 0.25)?.message ?? '', /would un-own 6 of the 20 minor leaguers currently owned, more than the cap of 5/);
    assert.equal(checkUnownCap(0, 0, 0.25), undefined);
  });

  test('the guard error is permanent, counts all problems and describes the first 20', () => {
    const problems = Array.from({ length: 25 }, (_, i) => ({ severity: 'error' as const, row: i + 1, message: `problem ${i + 1}` }));
    const error = minorsGuardError('production', problems);
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'SHEET_GUARD_FAILED');
    assert.match(error.message, /failed 25 guard checks for production/);
    assert.match(error.message, /row 20: problem 20\n… and 5 more$/);
    assert.doesNotMatch(error.message, /problem 21/);
  });
});

describe('writeMinorsPlan (PostgreSQL)', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('team').values([TEAM_A, TEAM_B].map((id, i) => ({ id, name: `Team ${i}`, espnId: null, espnTeam: null, lastSyncedAt: null }))).execute();
  });
  after(async () => {
    await database?.drop();
  });

  test('inserts get league 2 and lastSyncedAt (§2.6: it was NULL); counts are what the statements did', async () => {
    const now = new Date('2026-05-01T12:00:00.000Z');
    const gone = randomUUID();
    await database.db.insertInto('player').values({ id: gone, name: 'Vanished', league: '2', mlbTeam: 'SEA', leagueTeamId: null, meta: null, playerDataId: null }).execute();
    const planned = plan([player('Fresh One', 'HM', 'OF', 'SEA'), player('Vanished', 'HM', 'P', 'SEA')], await loadMinorRows(database.db));
    assert.equal(planned.updates.length, 1);
    // The row disappears between planning and writing: the update must not be counted.
    await database.db.deleteFrom('player').where('id', '=', gone).execute();
    const counts = await database.db.transaction().execute((trx) => writeMinorsPlan(trx, planned, now));
    assert.deepEqual(counts, { matched: 0, changed: 0, unchanged: 0, inserted: 1, cleared: 0, skippedNoOwner: 0 });
    const [fresh] = await database.db.selectFrom('player').selectAll().where('name', '=', 'Fresh One').execute();
    assert.equal(fresh?.league, '2');
    assert.equal(fresh?.lastSyncedAt?.getTime(), now.getTime());
    assert.equal(fresh?.leagueTeamId, TEAM_A);
    assert.equal(fresh?.mlbTeam, 'SEA');
    assert.deepEqual(fresh?.meta, { minorLeaguePlayerFromSheet: { name: 'Fresh One', position: 'OF', leagueLevel: 'HM', mlbTeam: 'SEA' }, position: 'OF' });
  });
});

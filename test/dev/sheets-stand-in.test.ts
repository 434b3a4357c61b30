import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fetchSheetRows } from '../../src/jobs/sheets/sheet-client.ts';
import { parseDraftPicksSheet } from '../../src/jobs/sheets/draft-picks-parse.ts';
import { parseMinorsSheet } from '../../src/jobs/sheets/minors-parse.ts';
import { sheetsStandIn, STAND_IN_DRAFT_PICKS_SHEET_ID, STAND_IN_MINORS_SHEET_ID } from '../../dev/jobs/sheets/sheets-stand-in.ts';
import { generateLeague } from '../../dev/seed/generate-league.ts';
import { startStandIns, type StartedStandIns } from '../../dev/stand-ins.ts';
import { seedDatabase } from '../../dev/seed/seed-database.ts';
import { draftPicksSync, type DraftPicksSyncResult } from '../../src/jobs/sheets/draft-picks-sync.ts';
import { minorsSync, type MinorsSyncResult } from '../../src/jobs/sheets/minors-sync.ts';
import { runJobInline } from '../../src/jobs/runner.ts';
import { openJobHarness } from '../support/job-harness.ts';

const SEASON = 2026;
const league = generateLeague(SEASON);
const csvNameOf = new Map(league.user.filter((user) => user.csvName && user.teamId).map((user) => [String(user.teamId), String(user.csvName)]));

let started: StartedStandIns;

before(async () => {
  started = await startStandIns({ ESPN_SEASON: String(SEASON) }, [sheetsStandIn]);
});
after(async () => {
  await started?.close();
});

function fetchTab(sheetId: string, gid: string) {
  return fetchSheetRows({ name: sheetId, sheetId, gid }, { baseUrl: started.env.SHEETS_BASE_URL ?? '', timeoutMs: 2000 });
}

describe('the sheets stand-in start-dev runs', () => {
  it('points the worker at itself with both sheet ids', () => {
    assert.match(started.env.SHEETS_BASE_URL ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(started.env.MINOR_LEAGUE_SHEET_ID, STAND_IN_MINORS_SHEET_ID);
    assert.equal(started.env.DRAFT_PICKS_SHEET_ID, STAND_IN_DRAFT_PICKS_SHEET_ID);
  });

  it("serves the seeded league's minors sheet: 20 owners, every owned minor leaguer under his owner, no problem", async () => {
    const sheet = parseMinorsSheet(await fetchTab(STAND_IN_MINORS_SHEET_ID, '806978055'));
    assert.deepEqual(sheet.problems, []);
    assert.equal(sheet.owners.length, 20);
    const owned = league.player.filter((player) => player.league === '2' && player.leagueTeamId);
    assert.equal(sheet.players.length, owned.length);
    for (const player of owned) {
      const listed = sheet.players.find((each) => each.name === player.name);
      assert.equal(listed?.ownerCsvName, csvNameOf.get(String(player.leagueTeamId)), player.name);
    }
  });

  it("serves the seeded league's picks sheet: 4 groups of 15 rows, each held pick in its holder's block", async () => {
    const sheet = parseDraftPicksSheet(await fetchTab(STAND_IN_DRAFT_PICKS_SHEET_ID, '142978697'));
    assert.deepEqual(sheet.problems.filter((problem) => problem.severity === 'error'), []);
    assert.deepEqual(sheet.groups.map((group) => group.pickRows), [15, 15, 15, 15]);
    assert.ok(sheet.picks.length > 240, `most slots hold a pick (${sheet.picks.length})`);
    const traded = sheet.picks.filter((pick) => pick.originalOwnerCsv !== pick.currentOwnerCsv);
    assert.ok(traded.length > 0, 'some picks were traded in the seed');
    for (const pick of traded) {
      const seeded = league.draft_pick.find(
        (each) => csvNameOf.get(String(each.originalOwnerId)) === pick.originalOwnerCsv && csvNameOf.get(String(each.currentOwnerId)) === pick.currentOwnerCsv,
      );
      assert.ok(seeded, `${pick.originalOwnerCsv}'s pick held by ${pick.currentOwnerCsv} is in the seed`);
    }
  });

  it('both sheet syncs complete against the seeded database, and a second run changes nothing', async () => {
    const harness = await openJobHarness({ ...started.env });
    try {
      await seedDatabase(harness.database.url, { season: SEASON });
      const minors = (await runJobInline(minorsSync, {}, harness.deps)) as MinorsSyncResult;
      const [minorsTarget] = minors.targets;
      assert.equal(minorsTarget?.skippedNoOwner, 0, 'every sheet owner is a seeded csvName');
      assert.equal(minorsTarget?.cleared, 0, 'every owned seeded minor leaguer is on the sheet');
      assert.equal(minorsTarget?.inserted, 0, 'every sheet player is a seeded row');
      const picks = (await runJobInline(draftPicksSync, {}, harness.deps)) as DraftPicksSyncResult;
      const [picksTarget] = picks.targets;
      assert.equal(picksTarget?.skipped, 0);
      assert.equal(picksTarget?.inserted, 0, 'every sheet pick is a seeded row (same type, season, round and original owner)');
      const again = (await runJobInline(minorsSync, {}, harness.deps)) as MinorsSyncResult;
      assert.deepEqual([again.targets[0]?.changed, again.targets[0]?.inserted, again.targets[0]?.cleared], [0, 0, 0]);
      const picksAgain = (await runJobInline(draftPicksSync, {}, harness.deps)) as DraftPicksSyncResult;
      assert.deepEqual([picksAgain.targets[0]?.updated, picksAgain.targets[0]?.inserted], [0, 0]);
    } finally {
      await harness.close();
    }
  });

  it('stays out of the way when a real sheet is configured', async () => {
    const real = await startStandIns({ MINOR_LEAGUE_SHEET_ID: 'abc' }, [sheetsStandIn]);
    try {
      assert.deepEqual(real.env, {});
      assert.deepEqual(real.lines, [{ name: 'sheets', summary: 'real Google Sheets (MINOR_LEAGUE_SHEET_ID set)' }]);
    } finally {
      await real.close();
    }
  });
});

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { pino } from 'pino';
import type { Config } from '../../../src/config.ts';
import { openTargets, type Targets } from '../../../src/db/targets.ts';
import type { FullOwnerDb } from '../../../src/db/database.ts';
import { createClients, type Clients } from '../../../src/jobs/clients.ts';
import { PermanentJobError, RetryableJobError } from '../../../src/jobs/outcomes.ts';
import { runJobInline, type RunnerDeps } from '../../../src/jobs/runner.ts';
import { minorsSync, type MinorsSyncResult } from '../../../src/jobs/sheets/minors-sync.ts';
import { startFakeSheets, type FakeSheets } from '../../../dev/jobs/sheets/fake-sheets.ts';
import { buildMinorsSheet, type MinorsSheetGroupSpec, type MinorsSheetPlayerSpec } from '../../../dev/jobs/sheets/minors-sheet.ts';
import type { TestDatabase } from '../../support/database.ts';
import { openJobHarness, type JobHarness } from '../../support/job-harness.ts';
import { testConfig } from '../../support/test-config.ts';

const SHEET_ID = 'minors-sheet-id';
const GID = '806978055';
const LONG_AGO = new Date('2020-01-01T00:00:00.000Z');
const TEAMS = 20;

/**
 * The league: 20 teams, owner t's csvName "Owner t" (team 3's user stored as "  owner   3 ", to
 * be matched after normalising). Each owner lists 3 prospects on the sheet, "P{t}-1" (HM), "P{t}-2"
 * (HM), "P{t}-3" (LM). Seeded:
 * - P{t}-1: a row with the sheet's meta, owned by team t, already as the sheet says (unchanged),
 *   except P2-1, ESPN-linked (playerDataId) and renamed by ESPN ("Pee Two-One", team XXX): changed back;
 * - P{t}-2: a legacy row without meta, same name and MLB team, unowned: fallback match, changed;
 * - P{t}-3: not in the database: inserted (a league '1' namesake of P5-3 must not be taken);
 * - "Gone Prospect": owned by team 1, not on the sheet: cleared;
 * - "Free Minor": unowned, not on the sheet: untouched.
 */
const teamIds = Array.from({ length: TEAMS }, () => randomUUID());
const ownerName = (t: number) => `Owner ${t}`;
const position = (t: number, k: number) => ['P', 'C', '1B', '2B', '3B', 'SS', 'OF'][(t + k) % 7] ?? 'P';
const team = (t: number) => ['SEA', 'CWS', 'CLE', 'NYY', 'BOS'][t % 5] ?? 'SEA';
function prospect(t: number, k: number): MinorsSheetPlayerSpec {
  return { name: `P${t}-${k}`, leagueLevel: k === 3 ? 'LM' : 'HM', position: position(t, k), mlbTeam: team(t) };
}

/** The sheet: groups of 5 owners, `players(t)` per owner (default: his 3 prospects). */
function sheetRows(options: { players?: (t: number) => MinorsSheetPlayerSpec[]; owner?: (t: number) => string; groups?: number } = {}): string[][] {
  const players = options.players ?? ((t: number) => [1, 2, 3].map((k) => prospect(t, k)));
  const owner = options.owner ?? ownerName;
  const groups: MinorsSheetGroupSpec[] = [];
  for (let g = 0; g < (options.groups ?? 4); g++) {
    const ts = [1, 2, 3, 4, 5].map((b) => g * 5 + b);
    groups.push({ owners: ts.map(owner) as [string, string, string, string, string], players: ts.map(players) });
  }
  return buildMinorsSheet({ groups });
}

let database: TestDatabase;
let fake: FakeSheets;
let config: Config;
let targets: Targets;
let clients: Clients;
let deps: RunnerDeps;
let harness: JobHarness | undefined;

function baseEnv(): Record<string, string> {
  return { MINOR_LEAGUE_SHEET_ID: SHEET_ID, MINOR_LEAGUE_SHEET_GID: GID, SHEETS_BASE_URL: fake.url, SHEETS_TIMEOUT_MS: '2000' };
}

function executionsOf(db: FullOwnerDb, jobId: string) {
  return db.selectFrom('sync_job_execution').selectAll().where(sql<string>`metadata->>'jobId'`, '=', jobId).execute();
}

function allPlayers() {
  return database.db.selectFrom('player').selectAll().orderBy('id').execute();
}

function byName(name: string) {
  return database.db.selectFrom('player').selectAll().where('name', '=', name).where('league', '=', '2').execute();
}

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('the job succeeded'),
    (thrown: unknown) => thrown,
  );
}

function sheetMeta(spec: MinorsSheetPlayerSpec) {
  return { name: spec.name, position: spec.position, leagueLevel: spec.leagueLevel, mlbTeam: spec.mlbTeam };
}

async function seed(): Promise<void> {
  await database.db.deleteFrom('player').execute();
  await database.db.deleteFrom('user').execute();
  await database.db.deleteFrom('team').execute();
  await database.db
    .insertInto('team')
    .values(teamIds.map((id, i) => ({ id, espnId: i + 1, name: `Team ${i + 1}`, status: '1' as const, dateCreated: LONG_AGO, dateModified: LONG_AGO, espnTeam: null, lastSyncedAt: null })))
    .execute();
  await database.db
    .insertInto('user')
    .values(teamIds.map((teamId, i) => ({ id: randomUUID(), email: `owner${i + 1}@example.test`, csvName: i + 1 === 3 ? '  owner   3 ' : ownerName(i + 1), teamId })))
    .execute();
  const base = { playerDataId: null, lastSyncedAt: LONG_AGO, dateCreated: LONG_AGO, dateModified: LONG_AGO };
  const rows = [];
  for (let t = 1; t <= TEAMS; t++) {
    const first = prospect(t, 1);
    const second = prospect(t, 2);
    const meta = { minorLeaguePlayerFromSheet: sheetMeta(first), position: first.position, kept: 'yes' };
    rows.push(
      t === 2
        ? { ...base, id: randomUUID(), name: 'Pee Two-One', league: '2' as const, mlbTeam: 'XXX', playerDataId: 4242, leagueTeamId: teamIds[1] ?? null, meta }
        : { ...base, id: randomUUID(), name: first.name, league: '2' as const, mlbTeam: first.mlbTeam, leagueTeamId: teamIds[t - 1] ?? null, meta },
      { ...base, id: randomUUID(), name: second.name, league: '2' as const, mlbTeam: second.mlbTeam, leagueTeamId: null, meta: null },
    );
  }
  rows.push(
    { ...base, id: randomUUID(), name: 'Gone Prospect', league: '2' as const, mlbTeam: 'SEA', leagueTeamId: teamIds[0] ?? null, meta: null },
    { ...base, id: randomUUID(), name: 'Free Minor', league: '2' as const, mlbTeam: 'SEA', leagueTeamId: null, meta: null },
    { ...base, id: randomUUID(), name: 'P5-3', league: '1' as const, mlbTeam: team(5), playerDataId: 777, leagueTeamId: null, meta: null },
  );
  await database.db.insertInto('player').values(rows).execute();
}

function depsWith(overrides: Record<string, string | undefined>): { deps: RunnerDeps; close: () => Promise<void> } {
  const env = Object.fromEntries(Object.entries({ ...baseEnv(), ...overrides }).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const otherConfig = testConfig(database.url, env);
  const log = pino({ level: 'silent' });
  const otherTargets = openTargets(otherConfig.targets, 2);
  const otherClients = createClients(otherConfig, log);
  return {
    deps: { config: otherConfig, targets: otherTargets, clients: otherClients, log, sideEffects: deps.sideEffects },
    close: async () => {
      await otherClients.close();
      await otherTargets.destroy();
    },
  };
}

/** Runs the job expecting a failure; asserts the execution failed with the error's message and nothing in `player` moved. */
async function expectFailedRun(run: () => Promise<unknown>, jobId: string): Promise<Error> {
  const beforeRows = await allPlayers();
  const error = await failure(run());
  assert.ok(error instanceof Error, String(error));
  assert.deepEqual(await allPlayers(), beforeRows, 'nothing written');
  const [execution, ...more] = await executionsOf(database.db, jobId);
  assert.equal(more.length, 0);
  assert.equal(execution?.status, 'failed');
  assert.equal(execution?.errorMessage, error.message);
  assert.equal(execution?.jobType, 'minors_sync');
  return error;
}

before(async () => {
  fake = await startFakeSheets();
  harness = await openJobHarness(baseEnv());
  ({ database, config, targets, clients, deps } = harness);
});

beforeEach(async () => {
  fake.reset();
  fake.setSheet(SHEET_ID, GID, sheetRows());
  await seed();
});

after(async () => {
  await harness?.close();
  await fake?.close();
});

describe('sheets.minors-sync', () => {
  test('a full run: exact counts, rows and a completed execution with metadata', async () => {
    const jobId = randomUUID();
    const started = new Date();
    const result = (await runJobInline(minorsSync, {}, deps, { id: jobId })) as MinorsSyncResult;

    assert.equal(result.sheetPlayers, 60);
    assert.equal(result.problemCount, 0);
    assert.deepEqual(result.targets, [
      { target: 'production', matched: 40, changed: 21, unchanged: 19, inserted: 20, cleared: 1, skippedNoOwner: 0, duplicates: 0, keptUnlisted: 0, unknownOwners: [] },
    ]);

    // Every sheet player is one league '2' row owned by his owner's team, with the sheet's values.
    for (let t = 1; t <= TEAMS; t++) {
      for (const k of [1, 2, 3]) {
        const spec = prospect(t, k);
        const rows = await byName(spec.name);
        assert.equal(rows.length, 1, `${spec.name}: one row`);
        const [row] = rows;
        assert.equal(row?.leagueTeamId, teamIds[t - 1], `${spec.name}: owned by team ${t}`);
        assert.equal(row?.mlbTeam, spec.mlbTeam);
        const meta = row?.meta as Record<string, unknown>;
        assert.deepEqual(meta.minorLeaguePlayerFromSheet, sheetMeta(spec));
        assert.equal(meta.position, spec.position);
        assert.ok(row?.lastSyncedAt && row.lastSyncedAt >= new Date(started.getTime() - 1000), `${spec.name}: lastSyncedAt set`);
        if (k === 1 && t !== 2) {
          assert.equal(row?.dateModified.getTime(), LONG_AGO.getTime(), `${spec.name}: unchanged, dateModified kept`);
          assert.equal(meta.kept, 'yes', 'meta merged, not replaced');
        } else {
          assert.ok(row && row.dateModified > LONG_AGO, `${spec.name}: changed, dateModified moved`);
        }
      }
    }
    // The ESPN-linked minor leaguer gets the sheet's name and team back, and keeps his ESPN id.
    const [linked] = await byName('P2-1');
    assert.equal(linked?.playerDataId, 4242);
    assert.equal((await byName('Pee Two-One')).length, 0);
    // The majors namesake was not taken.
    const [major] = await database.db.selectFrom('player').selectAll().where('league', '=', '1').execute();
    assert.equal(major?.name, 'P5-3');
    assert.equal(major?.leagueTeamId, null);
    assert.equal(major?.dateModified.getTime(), LONG_AGO.getTime());
    // Left the sheet: un-owned, never deleted; the unowned one untouched.
    const [gone] = await byName('Gone Prospect');
    assert.equal(gone?.leagueTeamId, null);
    const [free] = await byName('Free Minor');
    assert.equal(free?.dateModified.getTime(), LONG_AGO.getTime());
    assert.equal(free?.lastSyncedAt?.getTime(), LONG_AGO.getTime());
    assert.equal((await allPlayers()).length, 63, 'rows: 43 seeded + 20 inserted');

    const [execution, ...more] = await executionsOf(database.db, jobId);
    assert.equal(more.length, 0);
    assert.equal(execution?.status, 'completed');
    assert.equal(execution?.jobType, 'minors_sync');
    assert.equal(execution?.databaseScope, 'production');
    assert.equal(execution?.recordsProcessed, 60);
    assert.equal(execution?.recordsUpdated, 41);
    assert.equal(execution?.recordsSkipped, 0);
    assert.deepEqual(
      { ...(execution?.metadata as Record<string, unknown>), jobId: undefined, target: undefined, attempt: undefined },
      {
        jobId: undefined,
        target: undefined,
        attempt: undefined,
        sheetId: SHEET_ID,
        gid: GID,
        matched: 40,
        unchanged: 19,
        inserted: 20,
        cleared: 1,
        skippedNoOwner: 0,
        duplicates: 0,
        keptUnlisted: 0,
        unknownOwners: [],
        problemCount: 0,
        problems: [],
      },
    );
    const exports = fake.requests.filter((request) => request.path.startsWith('/spreadsheets/'));
    assert.equal(exports.length, 1, 'the sheet is fetched once');
  });

  test('a second run changes nothing: counts 0, dateModified unchanged', async () => {
    await runJobInline(minorsSync, {}, deps);
    const first = await allPlayers();
    const result = (await runJobInline(minorsSync, {}, deps)) as MinorsSyncResult;
    assert.deepEqual(result.targets, [
      { target: 'production', matched: 60, changed: 0, unchanged: 60, inserted: 0, cleared: 0, skippedNoOwner: 0, duplicates: 0, keptUnlisted: 0, unknownOwners: [] },
    ]);
    const second = await allPlayers();
    assert.equal(second.length, first.length);
    second.forEach((row, i) => {
      const was = first[i];
      assert.equal(row.id, was?.id);
      assert.deepEqual({ ...row, lastSyncedAt: undefined }, { ...was, lastSyncedAt: undefined }, `${row.name} unchanged`);
    });
  });

  test('a player removed from the sheet is un-owned (cleared 1), never deleted', async () => {
    await runJobInline(minorsSync, {}, deps);
    fake.setSheet(SHEET_ID, GID, sheetRows({ players: (t) => [1, 2, 3].filter((k) => !(t === 3 && k === 3)).map((k) => prospect(t, k)) }));
    const result = (await runJobInline(minorsSync, {}, deps)) as MinorsSyncResult;
    assert.equal(result.targets[0]?.cleared, 1);
    assert.equal(result.targets[0]?.matched, 59);
    assert.equal(result.targets[0]?.changed, 0);
    const rows = await byName('P3-3');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.leagueTeamId, null);
  });

  test('an owner name matching no csvName: his players skipped and reported, his team\'s minors never un-owned (§2.6)', async () => {
    const jobId = randomUUID();
    fake.setSheet(SHEET_ID, GID, sheetRows({ owner: (t) => (t === 7 ? 'Ownr 7' : ownerName(t)) }));
    const result = (await runJobInline(minorsSync, {}, deps, { id: jobId })) as MinorsSyncResult;
    const [target] = result.targets;
    assert.equal(target?.skippedNoOwner, 3);
    assert.deepEqual(target?.unknownOwners, ['Ownr 7']);
    assert.equal(target?.inserted, 19, 'P7-3 not inserted');
    assert.equal(target?.matched, 38);
    assert.equal(target?.cleared, 1, 'only Gone Prospect');
    const [p71] = await byName('P7-1');
    assert.equal(p71?.leagueTeamId, teamIds[6], 'team 7 keeps its prospect');
    assert.equal(p71?.lastSyncedAt?.getTime(), LONG_AGO.getTime(), 'and nothing is written to it');
    assert.equal((await byName('P7-3')).length, 0);
    const [execution] = await executionsOf(database.db, jobId);
    assert.equal(execution?.recordsSkipped, 3);
    assert.deepEqual((execution?.metadata as Record<string, unknown>).unknownOwners, ['Ownr 7']);
  });

  describe('guards: a broken sheet writes nothing and fails the execution', () => {
    test('an empty sheet', async () => {
      fake.setSheet(SHEET_ID, GID, []);
      const jobId = randomUUID();
      const error = await expectFailedRun(() => runJobInline(minorsSync, {}, deps, { id: jobId }), jobId);
      assert.ok(error instanceof PermanentJobError);
      assert.equal(error.code, 'SHEET_GUARD_FAILED');
      assert.match(error.message, /no owner header row found/);
      assert.match(error.message, /found 0 owner headers, expected 20/);
    });

    test('a sheet with the legend and footer only', async () => {
      fake.setSheet(SHEET_ID, GID, buildMinorsSheet({ groups: [] }));
      const jobId = randomUUID();
      const error = await expectFailedRun(() => runJobInline(minorsSync, {}, deps, { id: jobId }), jobId);
      assert.ok(error instanceof PermanentJobError);
      assert.equal(error.code, 'SHEET_GUARD_FAILED');
      assert.match(error.message, /no owner header row found/);
    });

    test('a sheet missing an owner group', async () => {
      fake.setSheet(SHEET_ID, GID, sheetRows({ groups: 3 }));
      const jobId = randomUUID();
      const error = await expectFailedRun(() => runJobInline(minorsSync, {}, deps, { id: jobId }), jobId);
      assert.ok(error instanceof PermanentJobError);
      assert.equal(error.code, 'SHEET_GUARD_FAILED');
      assert.match(error.message, /found 15 owner headers, expected 20/);
    });

    test('an owner with 0 players when the minimum is 1', async () => {
      fake.setSheet(SHEET_ID, GID, sheetRows({ players: (t) => (t === 12 ? [] : [1, 2, 3].map((k) => prospect(t, k))) }));
      const jobId = randomUUID();
      const error = await expectFailedRun(() => runJobInline(minorsSync, {}, deps, { id: jobId }), jobId);
      assert.ok(error instanceof PermanentJobError);
      assert.equal(error.code, 'SHEET_GUARD_FAILED');
      assert.match(error.message, /owner "Owner 12" lists 0 minor leaguers, outside 1\.\.60/);
      assert.match(error.message, /failed 1 guard check /);
    });

    test('un-owning more than the cap: the run says how many it would have un-owned', async () => {
      // Six owners drop their first prospect: 6 + Gone Prospect = 7 of the 21 owned, above 25 % (5).
      fake.setSheet(SHEET_ID, GID, sheetRows({ players: (t) => [1, 2, 3].filter((k) => !(k === 1 && t <= 6)).map((k) => prospect(t, k)) }));
      const jobId = randomUUID();
      const error = await expectFailedRun(() => runJobInline(minorsSync, {}, deps, { id: jobId }), jobId);
      assert.ok(error instanceof PermanentJobError);
      assert.equal(error.code, 'SHEET_GUARD_FAILED');
      assert.match(error.message, /would un-own 7 of the 21 minor leaguers currently owned, more than the cap of 5/);
    });

    test('un-owning exactly the cap passes', async () => {
      // Four owners drop their first prospect: 4 + Gone Prospect = 5 of 21, at the cap.
      fake.setSheet(SHEET_ID, GID, sheetRows({ players: (t) => [1, 2, 3].filter((k) => !(k === 1 && t <= 4)).map((k) => prospect(t, k)) }));
      const result = (await runJobInline(minorsSync, {}, deps)) as MinorsSyncResult;
      assert.equal(result.targets[0]?.cleared, 5);
    });
  });

  describe('fetch failures: execution failed, nothing written', () => {
    test('a private sheet is permanent', async () => {
      fake.setFault(SHEET_ID, { kind: 'private' });
      const jobId = randomUUID();
      const error = await expectFailedRun(() => runJobInline(minorsSync, {}, deps, { id: jobId }), jobId);
      assert.ok(error instanceof PermanentJobError);
      assert.equal(error.code, 'SHEET_NOT_PUBLIC');
    });

    test('a 500 is retryable', async () => {
      fake.setFault(SHEET_ID, { kind: 'status', status: 500 });
      const jobId = randomUUID();
      const error = await expectFailedRun(() => runJobInline(minorsSync, {}, deps, { id: jobId }), jobId);
      assert.ok(error instanceof RetryableJobError);
      assert.equal(error.code, 'SHEET_UNAVAILABLE');
    });

    test('MINOR_LEAGUE_SHEET_ID unset is permanent', async () => {
      const other = depsWith({ MINOR_LEAGUE_SHEET_ID: undefined });
      try {
        const jobId = randomUUID();
        const error = await expectFailedRun(() => runJobInline(minorsSync, {}, other.deps, { id: jobId }), jobId);
        assert.ok(error instanceof PermanentJobError);
        assert.equal(error.code, 'SHEET_NOT_CONFIGURED');
        assert.equal(fake.requests.length, 0, 'nothing fetched');
      } finally {
        await other.close();
      }
    });
  });

  test('a failure mid-write rolls the whole target back', async () => {
    // The INSERT (after the UPDATE has run in the same transaction) fails on one row.
    await sql`CREATE FUNCTION minors_test_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = 'P20-3' THEN RAISE EXCEPTION 'boom on %', NEW.name; END IF; RETURN NEW; END $$`.execute(database.db);
    await sql`CREATE TRIGGER minors_test_boom BEFORE INSERT ON player FOR EACH ROW EXECUTE FUNCTION minors_test_boom()`.execute(database.db);
    try {
      const jobId = randomUUID();
      const error = await expectFailedRun(() => runJobInline(minorsSync, {}, deps, { id: jobId }), jobId);
      assert.match(error.message, /boom on P20-3/);
    } finally {
      await sql`DROP TRIGGER minors_test_boom ON player`.execute(database.db);
      await sql`DROP FUNCTION minors_test_boom()`.execute(database.db);
    }
  });
});

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Config } from '../../../src/config.ts';
import type { Targets } from '../../../src/db/targets.ts';
import type { FullOwnerDb } from '../../../src/db/database.ts';
import type { Clients } from '../../../src/jobs/clients.ts';
import { PermanentJobError, RetryableJobError } from '../../../src/jobs/outcomes.ts';
import { runJobInline, type RunnerDeps } from '../../../src/jobs/runner.ts';
import { draftPicksSync, type DraftPicksSyncResult } from '../../../src/jobs/sheets/draft-picks-sync.ts';
import { writeDraftPicks } from '../../../src/jobs/sheets/draft-picks-write.ts';
import { startFakeSheets, type FakeSheets } from '../../../dev/jobs/sheets/fake-sheets.ts';
import { buildDraftPicksSheet, draftOrder, type DraftPickSlot, type DraftPickSlotContent } from '../../../dev/jobs/sheets/draft-picks-sheet.ts';
import type { TestDatabase } from '../../support/database.ts';
import { openJobHarness, type JobHarness } from '../../support/job-harness.ts';
import { testConfig } from '../../support/test-config.ts';

const SHEET_ID = 'draftPicksSheet_1';
const GID = '142978697';
const SEASON = 2030;
const LONG_AGO = new Date('2020-01-01T00:00:00.000Z');

type Five = [string, string, string, string, string];
const owners: Five[] = [
  ['Akos Balogh', 'Bea', 'Cass', 'Dmitri', 'Elle'],
  ['Finn', 'Gus', 'Hana', 'Ivo', 'Jun'],
  ['Kai', 'Lars', 'Mo', 'Nia', 'Oskar'],
  ['Pia', 'Quinn', 'Rafa', 'Sol', 'Tove'],
];
const names = owners.flat();
/** csvName as stored: one with odd case and spacing, matched after normalising. */
const csvNameOf = (name: string): string => (name === 'Akos Balogh' ? '  akos   BALOGH ' : name);

/** Akos's and Bea's round-1 majors picks swapped between them: each holds the other's. */
function traded(slot: DraftPickSlot): DraftPickSlotContent {
  if (slot.group === 0 && slot.index === 0 && slot.block === 0) return { originalOwner: 'Bea' };
  if (slot.group === 0 && slot.index === 0 && slot.block === 1) return { originalOwner: 'Akos Balogh' };
  return {};
}

/** Then Cass's round-6 majors pick traded to Dmitri: in Dmitri's block, Cass's slot cleared (Dmitri's own round 6 unlisted). */
function cassToDmitri(slot: DraftPickSlot): DraftPickSlotContent {
  if (slot.group === 0 && slot.index === 5 && slot.block === 2) return { cleared: true };
  if (slot.group === 0 && slot.index === 5 && slot.block === 3) return { originalOwner: 'Cass' };
  return traded(slot);
}

function sheet(picks: (slot: DraftPickSlot) => DraftPickSlotContent = traded, groups: readonly Five[] = owners): string[][] {
  return buildDraftPicksSheet({ groups: groups.map((o) => ({ owners: o })), picks, extraColumns: 2 });
}

let database: TestDatabase;
let fake: FakeSheets;
let config: Config;
let targets: Targets;
let clients: Clients;
let deps: RunnerDeps;
let harness: JobHarness | undefined;
/** sheet name → team.id */
const teamOf = new Map<string, string>();

function isoDay(daysAgo: number): string {
  return new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

function baseEnv(): Record<string, string> {
  return {
    SHEETS_BASE_URL: fake.url,
    SHEETS_TIMEOUT_MS: '5000',
    DRAFT_PICKS_SHEET_ID: SHEET_ID,
    DRAFT_PICKS_SHEET_GID: GID,
    DRAFT_PICKS_SEASON_THRESHOLDS: `${isoDay(400)}=${SEASON - 1},${isoDay(10)}=${SEASON}`,
  };
}

function depsWith(env: Record<string, string>): RunnerDeps {
  return { ...deps, config: testConfig(database.url, env) };
}

function executionsOf(db: FullOwnerDb, jobId: string) {
  return db.selectFrom('sync_job_execution').selectAll().where(sql<string>`metadata->>'jobId'`, '=', jobId).execute();
}

function picks() {
  return database.db
    .selectFrom('draft_pick')
    .select(['id', 'type', 'season', 'round', 'originalOwnerId', 'currentOwnerId', 'pickNumber', 'lastSyncedAt', 'dateCreated', 'dateModified'])
    .orderBy('id')
    .execute();
}

async function pickCount(): Promise<number> {
  const { n } = await database.db.selectFrom('draft_pick').select(sql<number>`count(*)::integer`.as('n')).executeTakeFirstOrThrow();
  return n;
}

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('the job succeeded'),
    (thrown: unknown) => thrown,
  );
}

async function run(jobId = randomUUID()): Promise<DraftPicksSyncResult> {
  return (await runJobInline(draftPicksSync, {}, deps, { id: jobId })) as DraftPicksSyncResult;
}

async function seed(): Promise<void> {
  await database.db.deleteFrom('draft_pick').execute();
  await database.db.deleteFrom('user').execute();
  await database.db.deleteFrom('team').execute();
  teamOf.clear();
  for (const name of names) teamOf.set(name, randomUUID());
  await database.db
    .insertInto('team')
    .values(names.map((name, i) => ({ id: teamOf.get(name)!, espnId: i + 1, name: `Team ${name}`, status: '1' as const, dateCreated: LONG_AGO, dateModified: LONG_AGO, espnTeam: null, lastSyncedAt: null })))
    .execute();
  await database.db
    .insertInto('user')
    .values(names.map((name, i) => ({ id: randomUUID(), email: `owner${i}@example.test`, csvName: csvNameOf(name), teamId: teamOf.get(name)! })))
    .execute();
}

before(async () => {
  fake = await startFakeSheets();
  harness = await openJobHarness(baseEnv());
  ({ database, config, targets, clients, deps } = harness);
});

beforeEach(async () => {
  fake.reset();
  fake.setSheet(SHEET_ID, GID, sheet());
  await seed();
});

after(async () => {
  await harness?.close();
  await fake?.close();
});

/** A sheet the guards must refuse: after a full run, the table is unchanged to the timestamp and the run failed. */
async function assertRefused(rows: string[][], message: RegExp): Promise<void> {
  await run();
  const before = await picks();
  assert.equal(before.length, 300);
  fake.setSheet(SHEET_ID, GID, rows);
  const jobId = randomUUID();
  const error = await failure(run(jobId));
  assert.ok(error instanceof PermanentJobError, String(error));
  assert.equal(error.code, 'SHEET_GUARD_FAILED');
  assert.match(error.message, message);
  assert.deepEqual(await picks(), before, 'nothing written');
  const [execution, ...others] = await executionsOf(database.db, jobId);
  assert.equal(others.length, 0);
  assert.equal(execution?.status, 'failed');
  assert.equal(execution?.errorMessage, error.message);
}

describe('sheets.draft-picks-sync', () => {
  test('a full sheet: 300 picks inserted with their types, seasons and owners; the execution completed', async () => {
    const jobId = randomUUID();
    const result = await run(jobId);
    assert.equal(fake.requests.filter((request) => request.path.startsWith('/spreadsheets/')).length, 1, 'the sheet is fetched once');
    assert.equal(result.season, SEASON);
    assert.equal(result.sheetId, SHEET_ID);
    assert.equal(result.gid, GID);
    const [target, ...more] = result.targets;
    assert.equal(more.length, 0);
    assert.deepEqual(target, {
      target: 'production',
      processed: 300,
      updated: 300,
      inserted: 300,
      unchanged: 0,
      skipped: 0,
      skippedNoOwner: 0,
      duplicates: 0,
      unknownOwners: [],
      problems: [],
      problemCount: 0,
    });

    const rows = await picks();
    assert.equal(rows.length, 300);
    const tally = new Map<string, number>();
    for (const row of rows) tally.set(`${row.type}/${row.season}`, (tally.get(`${row.type}/${row.season}`) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(tally), { [`1/${SEASON + 1}`]: 200, [`2/${SEASON}`]: 20, [`3/${SEASON}`]: 80 });
    for (const row of rows) assert.ok(row.lastSyncedAt !== null && row.id.length === 36);

    const find = (type: '1' | '2' | '3', round: number, original: string) =>
      rows.find((row) => row.type === type && Number(row.round) === round && row.originalOwnerId === teamOf.get(original));
    // Akos's round-1 pick sits in Bea's block: Akos's pick, held by Bea, numbered in Akos's (the original's) place.
    const akos1 = find('1', 1, 'Akos Balogh');
    assert.equal(akos1?.currentOwnerId, teamOf.get('Bea'));
    assert.equal(akos1?.pickNumber, draftOrder(0, 0, 20).overall);
    assert.equal(find('1', 1, 'Bea')?.currentOwnerId, teamOf.get('Akos Balogh'));
    assert.equal(find('1', 2, 'Akos Balogh')?.currentOwnerId, teamOf.get('Akos Balogh'), 'the odd-case csvName resolved');
    // Tove (team 19): HM1 is high round 1, LM5 low round 5, by row position.
    const toveHigh = find('2', 1, 'Tove');
    assert.equal(toveHigh?.currentOwnerId, teamOf.get('Tove'));
    assert.equal(toveHigh?.pickNumber, draftOrder(10, 19, 20).overall);
    assert.equal(find('3', 5, 'Tove')?.pickNumber, draftOrder(14, 19, 20).overall);
    assert.equal(find('3', 2, 'Tove'), undefined, 'no LM2 on the sheet');

    const [execution, ...others] = await executionsOf(database.db, jobId);
    assert.equal(others.length, 0);
    assert.equal(execution?.jobType, 'draft_picks_sync');
    assert.equal(execution?.status, 'completed');
    assert.equal(execution?.recordsProcessed, 300);
    assert.equal(execution?.recordsUpdated, 300);
    assert.equal(execution?.recordsSkipped, 0);
    assert.deepEqual(execution?.metadata, {
      jobId,
      target: 'production',
      attempt: 1,
      season: SEASON,
      sheetId: SHEET_ID,
      gid: GID,
      inserted: 300,
      updated: 0,
      unchanged: 0,
      skippedNoOwner: 0,
      duplicates: 0,
      problemCount: 0,
      unknownOwners: [],
      problems: [],
    });
  });

  test('a second run changes nothing: updated 0, dateModified unchanged, lastSyncedAt moved', async () => {
    await run();
    const first = await picks();
    const jobId = randomUUID();
    const result = await run(jobId);
    assert.deepEqual(
      { updated: result.targets[0]?.updated, inserted: result.targets[0]?.inserted, unchanged: result.targets[0]?.unchanged },
      { updated: 0, inserted: 0, unchanged: 300 },
    );
    const second = await picks();
    const strip = (rows: typeof first) => rows.map(({ lastSyncedAt: _, ...rest }) => rest);
    assert.deepEqual(strip(second), strip(first));
    second.forEach((row, i) => assert.ok(row.lastSyncedAt! > first[i]!.lastSyncedAt!, 'lastSyncedAt moves on every run'));
    const [execution] = await executionsOf(database.db, jobId);
    assert.equal(execution?.recordsUpdated, 0);
    assert.equal((execution?.metadata as Record<string, unknown>).unchanged, 300);
  });

  test('a pick traded on the sheet between runs: updated 1, only that row modified; the pick left off the sheet is kept', async () => {
    await run();
    const first = await picks();
    // Cass's round-6 majors pick moves to Dmitri's block; Cass's slot is cleared, and Dmitri's own round-6 pick is no longer listed.
    fake.setSheet(
      SHEET_ID,
      GID,
      sheet(cassToDmitri),
    );
    const result = await run();
    assert.deepEqual(
      { processed: result.targets[0]?.processed, inserted: result.targets[0]?.inserted, updated: result.targets[0]?.updated, unchanged: result.targets[0]?.unchanged },
      { processed: 299, inserted: 0, updated: 1, unchanged: 298 },
    );
    const second = await picks();
    const changed = second.filter((row, i) => row.dateModified.getTime() !== first[i]!.dateModified.getTime());
    assert.equal(changed.length, 1);
    assert.equal(changed[0]?.originalOwnerId, teamOf.get('Cass'));
    assert.equal(changed[0]?.currentOwnerId, teamOf.get('Dmitri'));
    assert.equal(changed[0]?.type, '1');
    assert.equal(Number(changed[0]?.round), 6);
    const dmitri6 = second.find((row) => row.type === '1' && Number(row.round) === 6 && row.originalOwnerId === teamOf.get('Dmitri'));
    assert.equal(dmitri6?.currentOwnerId, teamOf.get('Dmitri'), 'no clearing step: the unlisted pick keeps its state');
    assert.equal(second.length, 300);
  });

  test('guard: a group with 14 pick rows fails the run and writes nothing', async () => {
    const rows = sheet();
    // Group 2's header is row 24 (legend 1–5, group 1 rows 6–22, blank 23); drop its 8th pick row.
    rows.splice(24 + 7, 1);
    await assertRefused(rows, /has 14 pick rows.*expected 15/);
  });

  test('guard: a sheet with only 3 groups fails the run and writes nothing', async () => {
    await assertRefused(sheet(traded, owners.slice(0, 3)), /found 3 owner groups, expected 4.*found 15 owner headers in 3 groups, expected 20/);
  });

  test('guard: a mostly cleared sheet below DRAFT_PICKS_MIN_SHARE fails the run and writes nothing', async () => {
    const kept = (slot: DraftPickSlot) => (slot.block + slot.index) % 4 === 0;
    let listed = 0;
    for (let index = 0; index < 15; index++) for (let block = 0; block < 5; block++) if (kept({ group: 0, block, index })) listed += 4;
    assert.ok(listed < 240);
    await assertRefused(
      sheet((slot) => (kept(slot) ? {} : { cleared: true })),
      new RegExp(`\\(1 problems\\): only ${listed} picks on the sheet, fewer than 240 \\(DRAFT_PICKS_MIN_SHARE 0\\.8 of 300\\)`),
    );
  });

  test('guard: a totally different CSV fails the run and writes nothing', async () => {
    const other = [['Player', 'Team', 'Position', 'Owner'], ...Array.from({ length: 40 }, (_, i) => [`Player ${i}`, 'NYY', 'SS', names[i % 20]!])];
    await assertRefused(other, /unexpected row "Player".*no owner header row found.*found 0 owner headers/);
  });

  test('unknown owners: their picks are skipped and reported, the others written', async () => {
    // Tove's csvName is misspelt (her whole block is unknown), and one pick names an original owner nobody is.
    await database.db.updateTable('user').set({ csvName: 'Tova' }).where('csvName', '=', 'Tove').execute();
    // Sol's round-3 majors pick traded to Tove: a known original owner in an unknown owner's block is skipped too.
    fake.setSheet(
      SHEET_ID,
      GID,
      sheet((slot) => {
        if (slot.group === 1 && slot.block === 2 && slot.index === 3) return { originalOwner: 'Zed' };
        if (slot.group === 3 && slot.block === 3 && slot.index === 2) return { cleared: true };
        if (slot.group === 3 && slot.block === 4 && slot.index === 2) return { originalOwner: 'Sol' };
        return traded(slot);
      }),
    );
    const jobId = randomUUID();
    const result = await run(jobId);
    const target = result.targets[0]!;
    assert.deepEqual(
      { processed: target.processed, inserted: target.inserted, skipped: target.skipped, skippedNoOwner: target.skippedNoOwner, unknownOwners: target.unknownOwners },
      { processed: 299, inserted: 283, skipped: 16, skippedNoOwner: 16, unknownOwners: ['Tove', 'Zed'] },
    );
    assert.equal(target.problemCount, 2);
    assert.match(target.problems[0]!, /^row 58, column 29 \(AC\): owner "Tove" \(block header\) matches no user."csvName": its 15 picks are skipped/);
    assert.match(target.problems[1]!, /owner "Zed" matches no user."csvName": its 1 picks are skipped/);
    const rows = await picks();
    assert.equal(rows.length, 283);
    assert.equal(rows.filter((row) => row.currentOwnerId === null || row.originalOwnerId === null).length, 0, 'no pick written without an owner');
    assert.equal(rows.filter((row) => row.originalOwnerId === teamOf.get('Sol') && row.type === '1' && Number(row.round) === 3).length, 0, "Sol's pick held by Tove not written");
    assert.equal(rows.filter((row) => row.currentOwnerId === teamOf.get('Tove') || row.originalOwnerId === teamOf.get('Tove')).length, 0, 'no pick of Tove written');
    assert.equal(rows.filter((row) => row.currentOwnerId === teamOf.get('Hana')).length, 14, "Hana's block less the pick of Zed");
    const [execution] = await executionsOf(database.db, jobId);
    assert.equal(execution?.status, 'completed');
    assert.equal(execution?.recordsSkipped, 16);
    const metadata = execution?.metadata as Record<string, unknown>;
    assert.equal(metadata.skippedNoOwner, 16);
    assert.deepEqual(metadata.unknownOwners, ['Tove', 'Zed']);
    assert.deepEqual(metadata.problems, target.problems);
  });

  test('an ambiguous owner name (two users, two teams) is never guessed: its picks are skipped and reported', async () => {
    await database.db.insertInto('user').values({ id: randomUUID(), email: 'second-elle@example.test', csvName: ' ELLE', teamId: teamOf.get('Finn')! }).execute();
    const result = await run();
    const target = result.targets[0]!;
    assert.deepEqual({ inserted: target.inserted, skippedNoOwner: target.skippedNoOwner, unknownOwners: target.unknownOwners }, { inserted: 285, skippedNoOwner: 15, unknownOwners: ['Elle'] });
    assert.match(target.problems[0]!, /owner "Elle" \(block header\) matches several users holding different teams: its 15 picks are skipped/);
    const rows = await picks();
    assert.equal(rows.filter((row) => row.currentOwnerId === teamOf.get('Elle') || row.originalOwnerId === teamOf.get('Elle')).length, 0);
  });

  test('a pick listed twice: the first kept, the second skipped and reported, the rest written', async () => {
    // Akos's round-2 majors pick also appears in Bea's block (Bea's own round 2 unlisted): same upsert key twice.
    fake.setSheet(SHEET_ID, GID, sheet((slot) => (slot.group === 0 && slot.block === 1 && slot.index === 1 ? { originalOwner: 'Akos Balogh' } : traded(slot))));
    const jobId = randomUUID();
    const result = await run(jobId);
    const target = result.targets[0]!;
    assert.deepEqual(
      { processed: target.processed, inserted: target.inserted, skipped: target.skipped, skippedNoOwner: target.skippedNoOwner, duplicates: target.duplicates },
      { processed: 300, inserted: 299, skipped: 1, skippedNoOwner: 0, duplicates: 1 },
    );
    assert.ok(target.problems.some((problem) => /^row 9, column 8 \(H\): type 1 season 2031 round 2 of the same original owner is already listed earlier; the first is kept$/.test(problem)), target.problems.join('\n'));
    const akos2 = await database.db.selectFrom('draft_pick').selectAll().where('originalOwnerId', '=', teamOf.get('Akos Balogh')!).where('type', '=', '1').where('round', '=', '2').execute();
    assert.equal(akos2.length, 1);
    assert.equal(akos2[0]?.currentOwnerId, teamOf.get('Akos Balogh'), 'the first listing (his own block) wins');
    const [execution] = await executionsOf(database.db, jobId);
    assert.equal(execution?.recordsSkipped, 1);
    assert.equal((execution?.metadata as Record<string, unknown>).duplicates, 1);
  });

  test('writeDraftPicks on its own: duplicate keys (round compared as numeric) keep the first, counts are real', async () => {
    const akos = teamOf.get('Akos Balogh')!;
    const bea = teamOf.get('Bea')!;
    const now = new Date('2031-01-01T00:00:00.000Z');
    const rows = [
      { type: '1' as const, season: SEASON + 1, round: '1', originalOwnerId: akos, currentOwnerId: akos, pickNumber: 1 },
      { type: '1' as const, season: SEASON + 1, round: '1.0', originalOwnerId: akos, currentOwnerId: bea, pickNumber: 2 },
      { type: '2' as const, season: SEASON, round: '1.5', originalOwnerId: akos, currentOwnerId: bea, pickNumber: 3 },
    ];
    assert.deepEqual(await writeDraftPicks(deps.targets.get('production').db, rows, { now }), { inserted: 2, updated: 0, unchanged: 0, duplicates: 1 });
    const written = await database.db.selectFrom('draft_pick').select(['type', 'round', 'currentOwnerId', 'pickNumber', 'dateModified']).orderBy('type').execute();
    assert.deepEqual(written, [
      { type: '1', round: '1', currentOwnerId: akos, pickNumber: 1, dateModified: now },
      { type: '2', round: '1.5', currentOwnerId: bea, pickNumber: 3, dateModified: now },
    ]);
    const later = new Date('2031-01-02T00:00:00.000Z');
    assert.deepEqual(await writeDraftPicks(deps.targets.get('production').db, [rows[2]!, { ...rows[0]!, currentOwnerId: bea }], { now: later }), {
      inserted: 0,
      updated: 1,
      unchanged: 1,
      duplicates: 0,
    });
    assert.deepEqual(await writeDraftPicks(deps.targets.get('production').db, [], { now: later }), { inserted: 0, updated: 0, unchanged: 0, duplicates: 0 });
  });

  test('a private sheet is permanent (SHEET_NOT_PUBLIC): the execution failed, nothing written', async () => {
    fake.setFault(SHEET_ID, { kind: 'private' });
    const jobId = randomUUID();
    const error = await failure(run(jobId));
    assert.ok(error instanceof PermanentJobError, String(error));
    assert.equal(error.code, 'SHEET_NOT_PUBLIC');
    const [execution] = await executionsOf(database.db, jobId);
    assert.equal(execution?.status, 'failed');
    assert.equal(execution?.errorMessage, error.message);
    assert.equal(await pickCount(), 0);
  });

  test('a 500 is retryable (SHEET_UNAVAILABLE): the execution failed, nothing written', async () => {
    fake.setFault(SHEET_ID, { kind: 'status', status: 500 });
    const jobId = randomUUID();
    const error = await failure(run(jobId));
    assert.ok(error instanceof RetryableJobError, String(error));
    assert.equal(error.code, 'SHEET_UNAVAILABLE');
    const [execution] = await executionsOf(database.db, jobId);
    assert.equal(execution?.status, 'failed');
    assert.equal(await pickCount(), 0);
  });

  test('DRAFT_PICKS_SHEET_ID unset is permanent: the execution failed, the sheet never asked', async () => {
    const { DRAFT_PICKS_SHEET_ID: _, ...env } = baseEnv();
    const jobId = randomUUID();
    const error = await failure(runJobInline(draftPicksSync, {}, depsWith(env), { id: jobId }));
    assert.ok(error instanceof PermanentJobError, String(error));
    assert.equal(error.code, 'SHEET_NOT_CONFIGURED');
    assert.match(error.message, /DRAFT_PICKS_SHEET_ID/);
    assert.equal(fake.requests.length, 0);
    const [execution] = await executionsOf(database.db, jobId);
    assert.equal(execution?.status, 'failed');
    assert.equal(await pickCount(), 0);
  });

  test('stale season thresholds are permanent before any execution row or request', async () => {
    const jobId = randomUUID();
    const stale = depsWith({ ...baseEnv(), DRAFT_PICKS_SEASON_THRESHOLDS: `${isoDay(800)}=${SEASON - 1},${isoDay(400)}=${SEASON}` });
    const error = await failure(runJobInline(draftPicksSync, {}, stale, { id: jobId }));
    assert.ok(error instanceof PermanentJobError, String(error));
    assert.equal(error.code, 'DRAFT_SEASON_THRESHOLDS_STALE');
    assert.deepEqual(await executionsOf(database.db, jobId), []);
    assert.equal(fake.requests.length, 0);
    assert.equal(await pickCount(), 0);
  });

  test('a write failing mid-statement rolls the target back whole: the table untouched, the execution failed', async () => {
    await run();
    const before = await picks();
    // A trade on the sheet (one real update), and a constraint the row numbered 200 breaks as soon as it is written again.
    fake.setSheet(SHEET_ID, GID, sheet(cassToDmitri));
    await sql`ALTER TABLE draft_pick ADD CONSTRAINT test_no_pick_200 CHECK ("pickNumber" <> 200) NOT VALID`.execute(database.db);
    try {
      const jobId = randomUUID();
      const error = await failure(run(jobId));
      assert.match(String(error), /test_no_pick_200/);
      assert.deepEqual(await picks(), before, 'no row changed, lastSyncedAt included');
      const [execution] = await executionsOf(database.db, jobId);
      assert.equal(execution?.status, 'failed');
      assert.equal(execution?.recordsUpdated, null, 'nothing counted as done');
    } finally {
      await sql`ALTER TABLE draft_pick DROP CONSTRAINT test_no_pick_200`.execute(database.db);
    }
  });
});

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { pino } from 'pino';
import type { Config } from '../../../src/config.ts';
import { openTargets, type Targets } from '../../../src/db/targets.ts';
import { createClients, type Clients } from '../../../src/jobs/clients.ts';
import { teamSync } from '../../../src/jobs/espn/team-sync.ts';
import { PayloadError, PermanentJobError } from '../../../src/jobs/outcomes.ts';
import { runJobInline, type RunnerDeps } from '../../../src/jobs/runner.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { openJobHarness, type JobHarness } from '../../support/job-harness.ts';
import { startFakeEspn, type FakeEspn } from '../../../dev/jobs/espn/fake-espn.ts';
import { testConfig } from '../../support/test-config.ts';
import { baseballLeague, baseballLeagueWithExtraTeam } from '../../fixtures/espn/espn-fixtures.ts';
import type { FullOwnerDb } from '../../../src/db/database.ts';

const LEAGUE_ID = 123456;
const SEASON = 2025;
const LONG_AGO = new Date('2020-01-01T00:00:00.000Z');

let database: TestDatabase;
let fake: FakeEspn;
let config: Config;
let targets: Targets;
let clients: Clients;
let deps: RunnerDeps;
let harness: JobHarness | undefined;

/** The owner's teams before any sync: ESPN ids 1–10, one team ESPN no longer has, one never linked. */
const seededTeams = [
  ...Array.from({ length: 10 }, (_, index) => ({ id: randomUUID(), espnId: index + 1, name: `Old name ${index + 1}` })),
  { id: randomUUID(), espnId: 42, name: 'Folded franchise' },
  { id: randomUUID(), espnId: null, name: 'Commissioner office' },
];

async function seedTeams(db: FullOwnerDb): Promise<void> {
  await db.deleteFrom('team').execute();
  await db
    .insertInto('team')
    .values(seededTeams.map((team) => ({ ...team, status: '1' as const, dateCreated: LONG_AGO, dateModified: LONG_AGO, espnTeam: null, lastSyncedAt: null })))
    .execute();
}

function teamsOf(db: FullOwnerDb) {
  return db.selectFrom('team').select(['id', 'espnId', 'name', 'espnTeam', 'lastSyncedAt', 'dateModified']).orderBy('name').execute();
}

function executionsOf(db: FullOwnerDb, jobId: string) {
  return db
    .selectFrom('sync_job_execution')
    .selectAll()
    .where(sql<string>`metadata->>'jobId'`, '=', jobId)
    .execute();
}

before(async () => {
  fake = await startFakeEspn();
  harness = await openJobHarness({ ESPN_LEAGUE_ID: String(LEAGUE_ID), ESPN_SEASON: String(SEASON), ESPN_BASE_URL: fake.baseUrl, ESPN_TIMEOUT_MS: '2000', STAGING_ENABLED: 'false' });
  ({ database, config, targets, clients, deps } = harness);
});

beforeEach(async () => {
  fake.reset();
  fake.setLeague({ season: SEASON, leagueId: LEAGUE_ID, body: baseballLeagueWithExtraTeam() });
  await seedTeams(database.db);
});

after(async () => {
  await harness?.close();
  await fake?.close();
});

describe('espn.team-sync', () => {
  test('updates matched teams, skips the team the owner lacks, records a completed execution', async () => {
    const jobId = randomUUID();
    const startedBefore = new Date();
    const result = await runJobInline(teamSync, {}, deps, { id: jobId });
    const finishedAfter = new Date();

    assert.deepEqual(result, { targets: [{ target: 'production', processed: 11, updated: 10, skipped: 1 }] });

    const espnTeams = baseballLeagueWithExtraTeam().teams;
    const rows = await teamsOf(database.db);
    for (const espnTeam of espnTeams.slice(0, 10)) {
      const row = rows.find((candidate) => candidate.espnId === espnTeam.id);
      assert.ok(row, `team with espnId ${espnTeam.id}`);
      assert.equal(row.name, espnTeam.name);
      assert.deepEqual(row.espnTeam, espnTeam);
      assert.ok(row.lastSyncedAt && row.lastSyncedAt >= startedBefore && row.lastSyncedAt <= finishedAfter, `lastSyncedAt ${row.lastSyncedAt?.toISOString()}`);
      assert.deepEqual(row.dateModified, row.lastSyncedAt);
    }
    // Untouched: the team ESPN no longer has, and the one never linked to ESPN.
    for (const untouched of rows.filter((row) => row.espnId === 42 || row.espnId === null)) {
      assert.equal(untouched.espnTeam, null);
      assert.equal(untouched.lastSyncedAt, null);
      assert.deepEqual(untouched.dateModified, LONG_AGO);
    }
    assert.match(rows.find((row) => row.espnId === 42)?.name ?? '', /^Folded franchise$/);
    // Never inserted: ESPN's 11th team has no row.
    assert.equal(rows.length, seededTeams.length);
    assert.equal(rows.some((row) => row.espnId === 11), false);

    const [execution, ...others] = await executionsOf(database.db, jobId);
    assert.ok(execution);
    assert.equal(others.length, 0);
    assert.equal(execution.jobType, 'espn_team_sync');
    assert.equal(execution.databaseScope, 'production');
    assert.equal(execution.status, 'completed');
    assert.equal(execution.recordsProcessed, 11);
    assert.equal(execution.recordsUpdated, 10);
    assert.equal(execution.recordsSkipped, 1);
    assert.equal(execution.errorMessage, null);
    assert.equal(execution.obanJobId, null);
    assert.ok(execution.completedAt && execution.completedAt >= execution.startedAt);
    assert.ok(execution.startedAt >= startedBefore && execution.completedAt <= finishedAfter);
    assert.equal(execution.durationMs, execution.completedAt.getTime() - execution.startedAt.getTime());
    assert.deepEqual(execution.metadata, { jobId, target: 'production', attempt: 1 });
    assert.equal(fake.requests.length, 1, 'teams are fetched once');
  });

  test('a 401 fails the execution with ESPN’s message and the job permanently; no team changes', async () => {
    fake.setLeague({ season: SEASON, leagueId: LEAGUE_ID, body: baseballLeague(), cookies: { s2: 'needed', swid: '{0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D}' } });
    const before = await teamsOf(database.db);
    const jobId = randomUUID();

    const error = await runJobInline(teamSync, { databaseScope: 'production' }, deps, { id: jobId }).then(
      () => assert.fail('the job succeeded'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'ESPN_UNAUTHORIZED');

    const [execution] = await executionsOf(database.db, jobId);
    assert.equal(execution?.status, 'failed');
    assert.equal(execution?.errorMessage, error.message);
    assert.match(execution?.errorMessage ?? '', /You are not authorized to view this League\./);
    assert.deepEqual(execution?.metadata, { jobId, target: 'production', attempt: 1, errorCode: 'ESPN_UNAUTHORIZED' });
    assert.equal(execution?.completedAt, null);
    assert.equal(execution?.recordsUpdated, null);
    assert.deepEqual(await teamsOf(database.db), before);
  });

  test('a sync stopped mid-fetch (shutdown, expiry) records its run as failed, not "started" forever', async () => {
    fake.setLeague({ season: SEASON, leagueId: LEAGUE_ID, body: baseballLeague() });
    fake.injectFaults({ kind: 'delay', ms: 5000 });
    const before = await teamsOf(database.db);
    const jobId = randomUUID();
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error('the worker is shutting down')), 300);
    const error = await runJobInline(teamSync, {}, deps, { id: jobId, signal: stop.signal }).then(
      () => assert.fail('the job succeeded'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof Error);
    const [execution] = await executionsOf(database.db, jobId);
    assert.equal(execution?.status, 'failed', 'the stop was recorded through the job-independent connection');
    assert.deepEqual(await teamsOf(database.db), before);
    fake.reset();
  });

  test('a run left "started" by a worker that died is closed as abandoned when the next run starts', async () => {
    fake.setLeague({ season: SEASON, leagueId: LEAGUE_ID, body: baseballLeague() });
    const deadJobId = randomUUID();
    const now = new Date();
    await database.db
      .insertInto('sync_job_execution')
      .values({ id: randomUUID(), jobType: 'espn_team_sync', databaseScope: 'production', status: 'started', startedAt: now, dateCreated: now, dateModified: now, metadata: { jobId: deadJobId } })
      .execute();
    const otherType = randomUUID();
    await database.db
      .insertInto('sync_job_execution')
      .values({ id: otherType, jobType: 'minors_sync', databaseScope: 'production', status: 'started', startedAt: now, dateCreated: now, dateModified: now, metadata: {} })
      .execute();
    const jobId = randomUUID();
    await runJobInline(teamSync, {}, deps, { id: jobId });
    const [dead] = await executionsOf(database.db, deadJobId);
    assert.equal(dead?.status, 'failed');
    assert.match(dead?.errorMessage ?? '', /^abandoned: /);
    assert.deepEqual(dead?.metadata, { jobId: deadJobId, errorCode: 'ABANDONED' });
    assert.equal((await executionsOf(database.db, jobId))[0]?.status, 'completed');
    const untouched = await database.db.selectFrom('sync_job_execution').select('status').where('id', '=', otherType).executeTakeFirstOrThrow();
    assert.equal(untouched.status, 'started', 'another job type\'s run is not this sync\'s to close');
    await database.db.deleteFrom('sync_job_execution').where('id', '=', otherType).execute();
  });

  test('all or nothing: one update that breaks a constraint leaves every team as it was', async () => {
    // A rule the owner does not have, so the 7th of 11 updates fails after six have run.
    await sql`ALTER TABLE team ADD CONSTRAINT test_team_name_short CHECK (char_length(name) <= 30)`.execute(database.db);
    try {
      const body = baseballLeagueWithExtraTeam();
      body.teams[6] = { ...body.teams[6], id: 7, name: 'A team name far too long for the constraint' };
      fake.setLeague({ season: SEASON, leagueId: LEAGUE_ID, body });
      const before = await teamsOf(database.db);
      const jobId = randomUUID();

      const error = await runJobInline(teamSync, {}, deps, { id: jobId }).then(
        () => assert.fail('the job succeeded'),
        (thrown: unknown) => thrown,
      );
      assert.ok(error instanceof Error);
      assert.match(error.message, /test_team_name_short/);
      assert.ok(!(error instanceof PermanentJobError), 'a database error is left to the queue to retry');

      assert.deepEqual(await teamsOf(database.db), before);
      const [execution] = await executionsOf(database.db, jobId);
      assert.equal(execution?.status, 'failed');
      assert.match(execution?.errorMessage ?? '', /test_team_name_short/);
    } finally {
      await sql`ALTER TABLE team DROP CONSTRAINT test_team_name_short`.execute(database.db);
    }
  });

  test('scope "both" with staging turned off (STAGING_ENABLED=false) is a permanent error, before ESPN is asked', async () => {
    const error = await runJobInline(teamSync, { databaseScope: 'both' }, deps).then(
      () => assert.fail('the job succeeded'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'TARGET_NOT_CONFIGURED');
    assert.match(error.message, /staging/);
    assert.equal(fake.requests.length, 0);
  });

  test('a bad payload is rejected by the schema', async () => {
    const error = await runJobInline(teamSync, { databaseScope: 'prod' }, deps).then(
      () => assert.fail('the job succeeded'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof PayloadError);
    assert.match(error.message, /^espn\.team-sync\.databaseScope: /);
  });
});

describe('espn.team-sync with production and staging', () => {
  test('scope "both" updates each database and records an execution in each', async () => {
    const staging = await createTestDatabase();
    const bothConfig = testConfig(database.url, {
      STAGING_DATABASE_URL: staging.url,
      STAGING_SCHEMA: 'public',
      ESPN_LEAGUE_ID: String(LEAGUE_ID),
      ESPN_SEASON: String(SEASON),
      ESPN_BASE_URL: fake.baseUrl,
    });
    const log = pino({ level: 'silent' });
    const bothTargets = openTargets(bothConfig.targets, 2);
    const bothClients = createClients(bothConfig, log);
    try {
      await seedTeams(staging.db);
      const jobId = randomUUID();
      const result = await runJobInline(teamSync, { databaseScope: 'both' }, { config: bothConfig, targets: bothTargets, clients: bothClients, log, sideEffects: deps.sideEffects }, { id: jobId });
      assert.deepEqual(result, {
        targets: [
          { target: 'production', processed: 11, updated: 10, skipped: 1 },
          { target: 'staging', processed: 11, updated: 10, skipped: 1 },
        ],
      });
      for (const [db, target] of [[database.db, 'production'], [staging.db, 'staging']] as const) {
        const [execution] = await executionsOf(db, jobId);
        assert.equal(execution?.status, 'completed', target);
        assert.equal(execution?.databaseScope, 'both');
        assert.deepEqual(execution?.metadata, { jobId, target, attempt: 1 });
        const renamed = await db.selectFrom('team').select('name').where('espnId', '=', 1).executeTakeFirstOrThrow();
        assert.equal(renamed.name, 'Bronx Bombers Ball Club');
      }
      assert.equal(fake.requests.length, 1, 'one fetch serves both targets');
    } finally {
      await bothClients.close();
      await bothTargets.destroy();
      await staging.drop();
    }
  });
});

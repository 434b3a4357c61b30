import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { pino } from 'pino';
import type { Config } from '../../../src/config.ts';
import { openTargets, type Targets } from '../../../src/db/targets.ts';
import type { FullOwnerDb } from '../../../src/db/database.ts';
import { createClients, type Clients } from '../../../src/jobs/clients.ts';
import { espnPlayerEntrySchema, toEspnPlayer } from '../../../src/jobs/espn/espn-player.ts';
import { playersSync, type PlayersSyncResult } from '../../../src/jobs/espn/players-sync.ts';
import { PermanentJobError, RetryableJobError } from '../../../src/jobs/outcomes.ts';
import { runJobInline, type RunnerDeps } from '../../../src/jobs/runner.ts';
import { startFakeEspn, type FakeEspn } from '../../../dev/jobs/espn/fake-espn.ts';
import { generatePlayerPool } from '../../../dev/jobs/espn/generate-player-pool.ts';
import type { TestDatabase } from '../../support/database.ts';
import { openJobHarness, type JobHarness } from '../../support/job-harness.ts';
import { testConfig } from '../../support/test-config.ts';

const LEAGUE_ID = 123456;
const SEASON = 2025;
const LONG_AGO = new Date('2020-01-01T00:00:00.000Z');
/** 13 pages of 100: twelve full, the last one 50 (a short page that also reaches the total). */
const POOL_SIZE = 1250;
/** Existing majors already carrying the ESPN id of the pool's first entries, with a stale MLB team. */
const LINKED = 100;

const pool = generatePlayerPool(POOL_SIZE, { teamCount: 10, rosterSize: 25 });
const players = pool.map((entry) => toEspnPlayer(espnPlayerEntrySchema.parse(entry)));
const rostered = players.filter((player) => player.status === 'ONTEAM' && player.onTeamId !== undefined);

let database: TestDatabase;
let fake: FakeEspn;
let config: Config;
let targets: Targets;
let clients: Clients;
let deps: RunnerDeps;
let harness: JobHarness | undefined;
/** team."espnId" → team.id */
const teamIds = new Map<number, string>();

function executionsOf(db: FullOwnerDb, jobId: string) {
  return db.selectFrom('sync_job_execution').selectAll().where(sql<string>`metadata->>'jobId'`, '=', jobId).execute();
}

async function playerCount(): Promise<number> {
  const { n } = await database.db.selectFrom('player').select(sql<number>`count(*)::integer`.as('n')).executeTakeFirstOrThrow();
  return n;
}

async function seed(): Promise<void> {
  await database.db.deleteFrom('player').execute();
  await database.db.deleteFrom('team').execute();
  teamIds.clear();
  for (let espnId = 1; espnId <= 10; espnId += 1) teamIds.set(espnId, randomUUID());
  await database.db
    .insertInto('team')
    .values([...teamIds].map(([espnId, id]) => ({ id, espnId, name: `Team ${espnId}`, status: '1' as const, dateCreated: LONG_AGO, dateModified: LONG_AGO, espnTeam: null, lastSyncedAt: null })))
    .execute();
  await database.db
    .insertInto('player')
    .values(
      players.slice(0, LINKED).map((player) => ({
        id: randomUUID(),
        name: player.fullName ?? `#${player.id}`,
        league: '1' as const,
        mlbTeam: 'XXX',
        playerDataId: player.id,
        leagueTeamId: null,
        meta: { minorLeaguePlayerFromSheet: { kept: true } },
        lastSyncedAt: null,
        dateCreated: LONG_AGO,
        dateModified: LONG_AGO,
      })),
    )
    .execute();
}

function depsWith(overrides: Record<string, string>): { deps: RunnerDeps; close: () => Promise<void> } {
  const otherConfig = testConfig(database.url, { ...baseEnv(), ...overrides });
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

function baseEnv(): Record<string, string> {
  return { ESPN_LEAGUE_ID: String(LEAGUE_ID), ESPN_SEASON: String(SEASON), ESPN_BASE_URL: fake.baseUrl, ESPN_TIMEOUT_MS: '2000', ESPN_PLAYERS_PAGE_PAUSE_MS: '0', STAGING_ENABLED: 'false' };
}

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('the job succeeded'),
    (thrown: unknown) => thrown,
  );
}

before(async () => {
  fake = await startFakeEspn();
  harness = await openJobHarness(baseEnv());
  ({ database, config, targets, clients, deps } = harness);
});

beforeEach(async () => {
  fake.reset();
  fake.setPlayerPool(SEASON, LEAGUE_ID, pool);
  await seed();
});

after(async () => {
  await harness?.close();
  await fake?.close();
});

describe('espn.players-sync', () => {
  test('a 1,250-player pool over 13 pages: counts in the result and in a completed execution', async () => {
    assert.ok(rostered.length > 0, 'the generated pool has rostered players');
    const jobId = randomUUID();
    const result = (await runJobInline(playersSync, {}, deps, { id: jobId })) as PlayersSyncResult;

    assert.equal(fake.requests.length, 13, 'thirteen pages, each fetched once');
    assert.equal(result.seasonYear, SEASON);
    assert.equal(result.poolSize, POOL_SIZE);
    const [target, ...more] = result.targets;
    assert.equal(more.length, 0);
    assert.deepEqual(
      { ...target, ambiguous: undefined, duplicateEspnIds: undefined, conflicts: undefined },
      {
        target: 'production',
        processed: POOL_SIZE,
        updated: POOL_SIZE,
        inserted: POOL_SIZE - LINKED,
        unchanged: 0,
        skipped: 0,
        ownersDiffering: rostered.filter((player) => players.indexOf(player) < LINKED).length,
        missingFromEspn: 0,
        ownershipUnknownTeams: [],
        ambiguousCount: 0,
        ambiguous: undefined,
        duplicateEspnIdCount: 0,
        duplicateEspnIds: undefined,
        conflictCount: 0,
        conflicts: undefined,
      },
    );
    assert.equal(await playerCount(), POOL_SIZE);
    const first = await database.db.selectFrom('player').selectAll().where('playerDataId', '=', players[0]!.id).executeTakeFirstOrThrow();
    assert.equal(first.mlbTeam, players[0]!.mlbTeam, 'the stale MLB team was refreshed');
    assert.deepEqual((first.meta as Record<string, unknown>).minorLeaguePlayerFromSheet, { kept: true }, 'meta merged, not replaced');
    assert.equal(first.leagueTeamId, null, 'ownership off: owners untouched');

    const [execution, ...others] = await executionsOf(database.db, jobId);
    assert.equal(others.length, 0);
    assert.equal(execution?.jobType, 'mlb_players_sync');
    assert.equal(execution?.status, 'completed');
    assert.equal(execution?.recordsProcessed, POOL_SIZE);
    assert.equal(execution?.recordsUpdated, POOL_SIZE);
    assert.equal(execution?.recordsSkipped, 0);
    assert.deepEqual(execution?.metadata, {
      jobId,
      target: 'production',
      attempt: 1,
      inserted: POOL_SIZE - LINKED,
      unchanged: 0,
      ambiguousCount: 0,
      duplicateEspnIdCount: 0,
      conflictCount: 0,
      ownersDiffering: target?.ownersDiffering,
      missingFromEspn: 0,
      ownershipUnknownTeamCount: 0,
      ownershipWritten: false,
      seasonYear: SEASON,
    });
  });

  test('a second run changes nothing: updated 0, every row unchanged', async () => {
    await runJobInline(playersSync, {}, deps);
    const before = await database.db.selectFrom('player').select(['id', 'name', 'mlbTeam', 'meta', 'dateModified', 'leagueTeamId']).orderBy('id').execute();
    const jobId = randomUUID();
    const result = (await runJobInline(playersSync, {}, deps, { id: jobId })) as PlayersSyncResult;
    assert.equal(result.targets[0]?.updated, 0);
    assert.equal(result.targets[0]?.inserted, 0);
    assert.equal(result.targets[0]?.unchanged, POOL_SIZE);
    assert.equal(result.targets[0]?.ownersDiffering, rostered.length, 'ownership off: drift reported, not written');
    const afterRows = await database.db.selectFrom('player').select(['id', 'name', 'mlbTeam', 'meta', 'dateModified', 'leagueTeamId']).orderBy('id').execute();
    assert.deepEqual(afterRows, before);
    const [execution] = await executionsOf(database.db, jobId);
    assert.equal(execution?.status, 'completed');
    assert.equal(execution?.recordsUpdated, 0);
  });

  test('a 500 that outlasts the retries on page 4: retryable, the execution failed, no player written', async () => {
    fake.injectFaults({ kind: 'delay', ms: 0, times: 3 }, { kind: 'status', status: 500, retryAfter: '0', times: 4 });
    const before = await database.db.selectFrom('player').selectAll().orderBy('id').execute();
    const jobId = randomUUID();
    const error = await failure(runJobInline(playersSync, {}, deps, { id: jobId }));
    assert.ok(error instanceof RetryableJobError, String(error));
    assert.match(error.message, /300/, 'the message names the page reached');
    const [execution] = await executionsOf(database.db, jobId);
    assert.equal(execution?.status, 'failed');
    assert.equal(execution?.errorMessage, error.message);
    assert.deepEqual(await database.db.selectFrom('player').selectAll().orderBy('id').execute(), before);
  });

  test('ESPN_SYNC_OWNERSHIP=true writes owners from ESPN rosters; off (above) leaves them', async () => {
    const owning = depsWith({ ESPN_SYNC_OWNERSHIP: 'true' });
    try {
      const jobId = randomUUID();
      await runJobInline(playersSync, {}, owning.deps, { id: jobId });
      const rows = await database.db.selectFrom('player').select(['playerDataId', 'leagueTeamId']).execute();
      const ownerOf = new Map(rows.map((row) => [row.playerDataId, row.leagueTeamId]));
      for (const player of rostered) assert.equal(ownerOf.get(player.id), teamIds.get(player.onTeamId!), `owner of ${player.id}`);
      assert.equal(rows.filter((row) => row.leagueTeamId !== null).length, rostered.length, 'free agents own nothing');
      const [execution] = await executionsOf(database.db, jobId);
      assert.equal((execution?.metadata as Record<string, unknown>).ownershipWritten, true);

      const second = (await runJobInline(playersSync, {}, owning.deps)) as PlayersSyncResult;
      assert.equal(second.targets[0]?.ownersDiffering, 0, 'owners now agree with ESPN');
      assert.equal(second.targets[0]?.updated, 0);
    } finally {
      await owning.close();
    }
  });

  test('scope "both" with staging turned off (STAGING_ENABLED=false) is permanent, before ESPN is asked', async () => {
    const error = await failure(runJobInline(playersSync, { databaseScope: 'both' }, deps));
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'TARGET_NOT_CONFIGURED');
    assert.equal(fake.requests.length, 0);
  });

  test('ESPN_LEAGUE_ID unset is permanent; the execution is failed and nothing is written', async () => {
    const unset = testConfig(database.url, { ESPN_BASE_URL: fake.baseUrl });
    const noLeague = { ...deps, config: unset };
    const jobId = randomUUID();
    const error = await failure(runJobInline(playersSync, {}, noLeague, { id: jobId }));
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'ESPN_NOT_CONFIGURED');
    assert.equal(fake.requests.length, 0);
    const [execution] = await executionsOf(database.db, jobId);
    assert.equal(execution?.status, 'failed');
    assert.equal(await playerCount(), LINKED);
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeOwnerDb, createOwnerDb } from '../../src/db/database.ts';
import { createEspnClient, type EspnClient } from '../../src/jobs/espn/espn-client.ts';
import { updateTeamsFromEspn } from '../../src/jobs/espn/update-teams.ts';
import { espnStandIn, STAND_IN_LEAGUE_ID, STAND_IN_POOL_SIZE } from '../../dev/jobs/espn/espn-stand-in.ts';
import { pino } from 'pino';
import { openTargets } from '../../src/db/targets.ts';
import { createClients } from '../../src/jobs/clients.ts';
import { playersSync, type PlayersSyncResult } from '../../src/jobs/espn/players-sync.ts';
import { runJobInline } from '../../src/jobs/runner.ts';
import { testSideEffects } from '../support/side-effects.ts';
import { seedDatabase } from '../../dev/seed/seed-database.ts';
import { startStandIns, type StartedStandIns } from '../../dev/stand-ins.ts';
import type { StandIn } from '../../dev/stand-in.ts';
import { recordedHockeyLeague } from '../fixtures/espn/espn-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testConfig } from '../support/test-config.ts';

const SEASON = 2026;

let database: TestDatabase;
let started: StartedStandIns;
let client: EspnClient;

before(async () => {
  database = await createTestDatabase();
  await seedDatabase(database.url, { season: SEASON });
  started = await startStandIns({ ESPN_SEASON: String(SEASON) });
  client = createEspnClient(testConfig(database.url, { ...started.env, ESPN_TIMEOUT_MS: '2000' }).espn, { retries: 0 });
});
after(async () => {
  await client?.close();
  await started?.close();
  await database?.drop();
});

describe('the ESPN stand-in start-dev runs', () => {
  it('points the worker at itself: base URL on loopback, its league and season', () => {
    assert.match(started.env.ESPN_BASE_URL ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(started.env.ESPN_LEAGUE_ID, String(STAND_IN_LEAGUE_ID));
    assert.equal(started.env.ESPN_SEASON, String(SEASON));
    assert.deepEqual(started.lines.map((line) => line.name), ['espn', 'sheets', 'discord']);
  });

  it('serves the seeded teams in the real response shape, and the team sync updates every seeded team', async () => {
    const response = await fetch(`${started.env.ESPN_BASE_URL}/apis/v3/games/flb/seasons/${SEASON}/segments/0/leagues/${STAND_IN_LEAGUE_ID}?view=mTeam`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { teams: Record<string, unknown>[]; members: { id: string }[] };
    // Every top-level, team and member key the stand-in sends is one the recorded league has.
    const recorded = recordedHockeyLeague();
    const recordedTeamKeys = new Set(recorded.teams.flatMap((team) => Object.keys(team)).concat('name'));
    const recordedMemberKeys = new Set(recorded.members.flatMap((member) => Object.keys(member)).concat('isLeagueManager'));
    for (const key of Object.keys(body)) assert.ok(key in recorded, `top-level ${key}`);
    for (const team of body.teams) for (const key of Object.keys(team)) assert.ok(recordedTeamKeys.has(key), `team.${key}`);
    for (const member of body.members) for (const key of Object.keys(member)) assert.ok(recordedMemberKeys.has(key), `member.${key}`);
    const memberIds = new Set(body.members.map((member) => member.id));
    for (const team of body.teams) for (const owner of team.owners as string[]) assert.ok(memberIds.has(owner), `owner ${owner}`);

    const teams = await client.fetchTeams();
    const seeded = await database.db.selectFrom('team').select(['espnId', 'name']).where('espnId', 'is not', null).orderBy('espnId').execute();
    assert.deepEqual(
      teams.map((team) => ({ espnId: team.id, name: team.name })),
      seeded,
    );
    const owner = createOwnerDb({ url: database.url, poolMax: 2 });
    const counts = await updateTeamsFromEspn(owner.db, teams, new Date()).finally(() => closeOwnerDb(owner));
    assert.deepEqual({ updated: counts.updated, skipped: counts.skipped }, { updated: 20, skipped: 0 });
  });

  it('serves a player pool rostered over the seeded teams: the players sync completes against the seeded database', async () => {
    const config = testConfig(database.url, { ...started.env, ESPN_TIMEOUT_MS: '2000', ESPN_PLAYERS_PAGE_PAUSE_MS: '0', ESPN_SYNC_OWNERSHIP: 'true' });
    const log = pino({ level: 'silent' });
    const targets = openTargets(config.targets, 2);
    const clients = createClients(config, log);
    try {
      const deps = { config, targets, clients, log, sideEffects: testSideEffects(targets.get('production').pool) };
      const seededMajors = await database.db.selectFrom('player').select('id').where('league', '=', '1').where('playerDataId', 'is not', null).execute();
      assert.ok(seededMajors.length > 0 && seededMajors.length < STAND_IN_POOL_SIZE, `the seed has majors with ESPN ids (${seededMajors.length})`);
      const result = (await runJobInline(playersSync, {}, deps)) as PlayersSyncResult;
      assert.equal(result.poolSize, STAND_IN_POOL_SIZE);
      assert.equal(result.targets[0]?.missingFromEspn, 0, 'every seeded major is in the pool, found by its ESPN id');
      assert.equal(result.targets[0]?.inserted, STAND_IN_POOL_SIZE - seededMajors.length, 'only the generated free agents are new');
      assert.equal(result.targets[0]?.ambiguousCount, 0);
      assert.equal(result.targets[0]?.ownershipUnknownTeams.length, 0, 'every rostered onTeamId is a seeded team');
      const owned = await database.db.selectFrom('player').select('id').where('playerDataId', 'is not', null).where('leagueTeamId', 'is not', null).execute();
      assert.ok(owned.length > 0, 'ESPN rosters reached seeded teams');
    } finally {
      await clients.close();
      await targets.destroy();
    }
  });

  it('stays out of the way when a real league is configured', async () => {
    const real = await startStandIns({ ESPN_LEAGUE_ID: '545' }, [espnStandIn]);
    try {
      assert.deepEqual(real.env, {});
      assert.deepEqual(real.lines, [{ name: 'espn', summary: 'real league 545 (ESPN_LEAGUE_ID is set)' }]);
    } finally {
      await real.close();
    }
  });

  it('closes what it started when a later stand-in fails to start', async () => {
    let closed = false;
    const first: StandIn = { name: 'a', realServiceReason: () => undefined, start: async () => ({ env: {}, summary: 'a', close: async () => void (closed = true) }) };
    const broken: StandIn = { name: 'b', realServiceReason: () => undefined, start: () => Promise.reject(new Error('port taken')) };
    await assert.rejects(startStandIns({}, [first, broken]), /port taken/);
    assert.equal(closed, true);
  });
});


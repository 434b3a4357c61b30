/**
 * The players writer against a real PostgreSQL: SyncPlans built by hand, applied set-based in one
 * transaction per target (issue 8 "Writing", "Ownership"; jobs-reference §1.5–§1.7).
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { toEspnPlayer, type EspnPlayer } from '../../../src/jobs/espn/espn-player.ts';
import type { PlannedUpdate, SyncPlan } from '../../../src/jobs/espn/players-plan.ts';
import { loadPlayerRows } from '../../../src/jobs/espn/players-load.ts';
import { writePlayerSync } from '../../../src/jobs/espn/players-write.ts';
import type { OwnerDb } from '../../../src/db/database.ts';
import type { OwnerDB } from '../../../src/db/owner-contract.ts';
import type { JsonObject } from '../../../src/jobs/espn/espn-schemas.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';

const LONG_AGO = new Date('2020-01-01T00:00:00.000Z');
const NOW = new Date('2026-04-01T07:32:00.000Z');
const LATER = new Date('2026-04-02T07:32:00.000Z');

let database: TestDatabase;
/** The worker's view: the contract-typed Kysely over the test database's pool. */
let owner: OwnerDb;
let teamA: string;
let teamB: string;

interface EntryOptions {
  fullName?: string;
  proTeamId?: number;
  defaultPositionId?: number;
  status?: string;
  onTeamId?: number;
}

function espn(id: number, options: EntryOptions = {}): EspnPlayer {
  return toEspnPlayer({
    id,
    ...(options.onTeamId === undefined ? {} : { onTeamId: options.onTeamId }),
    status: options.status ?? 'FREEAGENT',
    player: {
      id,
      ...(options.fullName === undefined ? {} : { fullName: options.fullName }),
      proTeamId: options.proTeamId ?? 10,
      defaultPositionId: options.defaultPositionId ?? 1,
      eligibleSlots: [13, 14],
    },
  });
}

function plan(parts: Partial<SyncPlan>): SyncPlan {
  return { updates: [], inserts: [], ambiguous: [], duplicateEspnIds: [], missingFromEspn: 0, conflicts: [], ...parts };
}

function update(rowId: string, player: EspnPlayer, extra: Partial<PlannedUpdate> = {}): PlannedUpdate {
  return { rowId, player, claim: false, minorLeaguer: false, ...extra };
}

interface SeedPlayer {
  id?: string;
  name: string;
  league?: '1' | '2';
  mlbTeam?: string | null;
  playerDataId?: number | null;
  leagueTeamId?: string | null;
  meta?: JsonObject | null;
}

async function seedPlayer(row: SeedPlayer): Promise<string> {
  const id = row.id ?? randomUUID();
  await database.db
    .insertInto('player')
    .values({
      id,
      name: row.name,
      league: row.league ?? '1',
      mlbTeam: row.mlbTeam ?? null,
      playerDataId: row.playerDataId ?? null,
      leagueTeamId: row.leagueTeamId ?? null,
      meta: row.meta ?? null,
      lastSyncedAt: null,
      dateCreated: LONG_AGO,
      dateModified: LONG_AGO,
    })
    .execute();
  return id;
}

function playerById(id: string) {
  return database.db.selectFrom('player').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function playerByEspnId(espnId: number) {
  return database.db.selectFrom('player').selectAll().where('playerDataId', '=', espnId).executeTakeFirstOrThrow();
}

async function playerCount(): Promise<number> {
  const { n } = await database.db.selectFrom('player').select(sql<number>`count(*)::integer`.as('n')).executeTakeFirstOrThrow();
  return n;
}

before(async () => {
  database = await createTestDatabase();
  owner = database.db as unknown as OwnerDb;
});

beforeEach(async () => {
  await database.db.deleteFrom('player').execute();
  await database.db.deleteFrom('team').execute();
  teamA = randomUUID();
  teamB = randomUUID();
  await database.db
    .insertInto('team')
    .values([
      { id: teamA, espnId: 1, name: 'Team A', status: '1' },
      { id: teamB, espnId: 2, name: 'Team B', status: '1' },
    ])
    .execute();
});

after(async () => {
  await database?.drop();
});

describe('writePlayerSync', () => {
  test('inserts new majors with the fields of §1.5 and counts only real inserts', async () => {
    const named = espn(101, { fullName: 'Aaron Judge', proTeamId: 10, defaultPositionId: 9 });
    const nameless = espn(102, { proTeamId: 0 });
    const counts = await writePlayerSync(owner, plan({ inserts: [named, nameless] }), { now: NOW, ownership: false });
    assert.deepEqual(counts, { updated: 0, inserted: 2, unchanged: 0, skipped: 0, ownersDiffering: 0, ownershipUnknownTeams: [] });

    const judge = await playerByEspnId(101);
    assert.equal(judge.name, 'Aaron Judge');
    assert.equal(judge.league, '1');
    assert.equal(judge.mlbTeam, 'NYY');
    assert.equal(judge.leagueTeamId, null);
    assert.deepEqual(judge.meta, { espnPlayer: named.raw, position: 'RF' });
    assert.deepEqual([judge.lastSyncedAt, judge.dateCreated, judge.dateModified], [NOW, NOW, NOW]);
    assert.match(judge.id, /^[0-9a-f-]{36}$/);

    const anonymous = await playerByEspnId(102);
    assert.equal(anonymous.name, 'ESPN Player #102');
    assert.equal(anonymous.mlbTeam, null);
  });

  test('an insert that meets an existing (name, playerDataId) merges meta and counts as updated, not inserted', async () => {
    const id = await seedPlayer({ name: 'Hidden Row', league: '2', playerDataId: 103, mlbTeam: 'BOS', meta: { minorLeaguePlayerFromSheet: { name: 'Hidden Row' } } });
    const entry = espn(103, { fullName: 'Hidden Row', proTeamId: 0 });
    const counts = await writePlayerSync(owner, plan({ inserts: [entry] }), { now: NOW, ownership: false });
    assert.equal(counts.inserted, 0);
    assert.equal(counts.updated, 1);
    const row = await playerById(id);
    assert.deepEqual(row.meta, { minorLeaguePlayerFromSheet: { name: 'Hidden Row' }, espnPlayer: entry.raw, position: 'SP' });
    assert.equal(row.mlbTeam, 'BOS', 'a free agent keeps his team on the conflict path too');
    assert.equal(row.league, '2');
    assert.equal(await playerCount(), 1);
  });

  test('updates a major: name, team, meta merged (other keys survive), timestamps', async () => {
    const id = await seedPlayer({ name: 'Old Name', mlbTeam: 'BOS', playerDataId: 201, meta: { minorLeaguePlayerFromSheet: { leagueLevel: 'High' }, position: 'C' } });
    const entry = espn(201, { fullName: 'New Name', proTeamId: 19, defaultPositionId: 6 });
    const counts = await writePlayerSync(owner, plan({ updates: [update(id, entry)] }), { now: NOW, ownership: false });
    assert.equal(counts.updated, 1);
    assert.equal(counts.unchanged, 0);
    const row = await playerById(id);
    assert.equal(row.name, 'New Name');
    assert.equal(row.mlbTeam, 'LAD');
    assert.deepEqual(row.meta, { minorLeaguePlayerFromSheet: { leagueLevel: 'High' }, espnPlayer: entry.raw, position: 'SS' });
    assert.deepEqual([row.lastSyncedAt, row.dateModified, row.dateCreated], [NOW, NOW, LONG_AGO]);
  });

  test('a minor leaguer gets meta.espnPlayer only: sheet name, team and position stay', async () => {
    const sheet = { minorLeaguePlayerFromSheet: { name: 'Sheet Name', mlbTeam: 'SEA', position: 'OF', leagueLevel: 'Low' }, position: 'OF' };
    const id = await seedPlayer({ name: 'Sheet Name', league: '2', mlbTeam: 'SEA', playerDataId: 301, leagueTeamId: teamB, meta: sheet });
    const entry = espn(301, { fullName: 'Espn Name', proTeamId: 2, defaultPositionId: 2, status: 'ONTEAM', onTeamId: 1 });
    const counts = await writePlayerSync(owner, plan({ updates: [update(id, entry, { minorLeaguer: true })] }), { now: NOW, ownership: true });
    assert.equal(counts.updated, 1);
    assert.equal(counts.ownersDiffering, 0, 'minor leaguers are not majors whose owner ESPN decides');
    const row = await playerById(id);
    assert.equal(row.name, 'Sheet Name');
    assert.equal(row.mlbTeam, 'SEA');
    assert.equal(row.league, '2');
    assert.equal(row.leagueTeamId, teamB, 'the sheet owns a minor leaguer\'s owner, even with ownership on');
    assert.deepEqual(row.meta, { ...sheet, espnPlayer: entry.raw });
  });

  test('idempotent: the same plan twice changes nothing the second time but lastSyncedAt', async () => {
    const id = await seedPlayer({ name: 'Steady', mlbTeam: 'NYY', playerDataId: 401, meta: { keep: true } });
    const minorId = await seedPlayer({ name: 'Minor', league: '2', playerDataId: 402, meta: { minorLeaguePlayerFromSheet: {} } });
    const work = plan({ updates: [update(id, espn(401, { fullName: 'Steady' })), update(minorId, espn(402, { fullName: 'X' }), { minorLeaguer: true })], inserts: [espn(403, { fullName: 'Fresh' })] });
    const first = await writePlayerSync(owner, work, { now: NOW, ownership: true });
    assert.deepEqual([first.updated, first.inserted, first.unchanged], [2, 1, 0]);
    const before = await database.db.selectFrom('player').selectAll().orderBy('id').execute();

    const second = await writePlayerSync(owner, work, { now: LATER, ownership: true });
    assert.deepEqual([second.updated, second.inserted, second.unchanged], [0, 0, 3]);
    const afterRows = await database.db.selectFrom('player').selectAll().orderBy('id').execute();
    assert.equal(afterRows.length, before.length);
    for (const [index, row] of afterRows.entries()) {
      const was = before[index]!;
      assert.deepEqual({ ...row, lastSyncedAt: null }, { ...was, lastSyncedAt: null }, `row ${row.name} is unchanged`);
      assert.deepEqual(row.dateModified, was.dateModified);
      assert.deepEqual(row.lastSyncedAt, LATER, `row ${row.name} was seen`);
    }
  });

  test('a claim sets playerDataId; a plain update never does', async () => {
    const claimed = await seedPlayer({ name: 'Will Smith', mlbTeam: 'LAD' });
    const plain = await seedPlayer({ name: 'Plain', playerDataId: 502 });
    await writePlayerSync(owner, plan({ updates: [update(claimed, espn(501, { fullName: 'Will Smith', proTeamId: 19 }), { claim: true }), update(plain, espn(999, { fullName: 'Plain' }))] }), { now: NOW, ownership: false });
    assert.equal((await playerById(claimed)).playerDataId, 501);
    assert.equal((await playerById(plain)).playerDataId, 502);
  });

  test('a free agent (proTeamId 0) keeps his MLB team', async () => {
    const id = await seedPlayer({ name: 'Journeyman', mlbTeam: 'TEX', playerDataId: 601 });
    await writePlayerSync(owner, plan({ updates: [update(id, espn(601, { fullName: 'Journeyman', proTeamId: 0 }))] }), { now: NOW, ownership: false });
    assert.equal((await playerById(id)).mlbTeam, 'TEX');
  });

  describe('ownership', () => {
    async function seedOwned() {
      const onTeam = await seedPlayer({ name: 'Moves To A', playerDataId: 701, leagueTeamId: teamB });
      const released = await seedPlayer({ name: 'Released', playerDataId: 702, leagueTeamId: teamA });
      const unknown = await seedPlayer({ name: 'Unknown Team', playerDataId: 703, leagueTeamId: teamB });
      const same = await seedPlayer({ name: 'Stays On B', playerDataId: 704, leagueTeamId: teamB, mlbTeam: 'NYY' });
      const work = plan({
        updates: [
          update(onTeam, espn(701, { fullName: 'Moves To A', status: 'ONTEAM', onTeamId: 1 })),
          update(released, espn(702, { fullName: 'Released', status: 'WAIVERS' })),
          update(unknown, espn(703, { fullName: 'Unknown Team', status: 'ONTEAM', onTeamId: 77 })),
          update(same, espn(704, { fullName: 'Stays On B', status: 'ONTEAM', onTeamId: 2 })),
        ],
        inserts: [espn(705, { fullName: 'New On A', status: 'ONTEAM', onTeamId: 1 }), espn(706, { fullName: 'New Unknown', status: 'ONTEAM', onTeamId: 88 })],
      });
      return { onTeam, released, unknown, same, work };
    }

    test('on: ONTEAM → that team, waivers/free agents → null, unknown team left alone and reported', async () => {
      const { onTeam, released, unknown, same, work } = await seedOwned();
      const counts = await writePlayerSync(owner, work, { now: NOW, ownership: true });
      assert.equal((await playerById(onTeam)).leagueTeamId, teamA);
      assert.equal((await playerById(released)).leagueTeamId, null);
      assert.equal((await playerById(unknown)).leagueTeamId, teamB);
      assert.equal((await playerById(same)).leagueTeamId, teamB);
      assert.equal((await playerByEspnId(705)).leagueTeamId, teamA);
      assert.equal((await playerByEspnId(706)).leagueTeamId, null);
      assert.deepEqual(counts.ownershipUnknownTeams, [77, 88]);
      assert.equal(counts.ownersDiffering, 2);
    });

    test('off: nothing owned is written, but differing owners are counted', async () => {
      const { onTeam, released, unknown, same, work } = await seedOwned();
      const counts = await writePlayerSync(owner, work, { now: NOW, ownership: false });
      assert.equal((await playerById(onTeam)).leagueTeamId, teamB);
      assert.equal((await playerById(released)).leagueTeamId, teamA);
      assert.equal((await playerById(unknown)).leagueTeamId, teamB);
      assert.equal((await playerById(same)).leagueTeamId, teamB);
      assert.equal((await playerByEspnId(705)).leagueTeamId, null);
      assert.equal(counts.ownersDiffering, 2);
      assert.equal(counts.updated, 4, 'meta changed on all four');
      const again = await writePlayerSync(owner, work, { now: LATER, ownership: false });
      assert.deepEqual([again.updated, again.unchanged, again.ownersDiffering], [0, 6, 2], 'a differing owner is no change when ownership is off');
    });
  });

  test('counts skipped: ambiguous entries, rows ESPN lacks, conflicts the matcher left out, planned rows that are gone', async () => {
    const counts = await writePlayerSync(
      owner,
      plan({ updates: [update(randomUUID(), espn(801, { fullName: 'Ghost' }))], ambiguous: [{ espnId: 802, name: 'Twin', candidateRowIds: [] }], missingFromEspn: 3, conflicts: [{ rowId: randomUUID(), espnId: 803, name: 'Held', heldByRowId: randomUUID() }] }),
      { now: NOW, ownership: false },
    );
    assert.equal(counts.skipped, 6);
    assert.equal(await playerCount(), 0, 'an ambiguous entry is never inserted');
  });

  test('a failure mid-write rolls the whole target back', async () => {
    const id = await seedPlayer({ name: 'Untouched', mlbTeam: 'BOS', playerDataId: 901, meta: { keep: 1 } });
    await sql`CREATE FUNCTION fail_on_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = 'Boom' THEN RAISE EXCEPTION 'boom on row %', NEW."playerDataId"; END IF; RETURN NEW; END $$`.execute(database.db);
    await sql`CREATE TRIGGER fail_on_boom BEFORE INSERT ON player FOR EACH ROW EXECUTE FUNCTION fail_on_boom()`.execute(database.db);
    try {
      const inserts = Array.from({ length: 50 }, (_, index) => espn(1000 + index, { fullName: index === 40 ? 'Boom' : `Rookie ${index}` }));
      await assert.rejects(
        writePlayerSync(owner, plan({ updates: [update(id, espn(901, { fullName: 'Changed', proTeamId: 3 }))], inserts }), { now: NOW, ownership: false }),
        /boom on row 1040/,
      );
      const row = await playerById(id);
      assert.deepEqual([row.name, row.mlbTeam, row.meta, row.lastSyncedAt, row.dateModified], ['Untouched', 'BOS', { keep: 1 }, null, LONG_AGO]);
      assert.equal(await playerCount(), 1);
    } finally {
      await sql`DROP TRIGGER fail_on_boom ON player`.execute(database.db);
      await sql`DROP FUNCTION fail_on_boom()`.execute(database.db);
    }
  });

  test('a unique violation (a rename onto an existing (name, playerDataId)) rolls back too', async () => {
    await seedPlayer({ name: 'Taken', playerDataId: 951, league: '2' });
    const id = await seedPlayer({ name: 'Before', playerDataId: 951 });
    await assert.rejects(
      writePlayerSync(owner, plan({ updates: [update(id, espn(951, { fullName: 'Taken' }))], inserts: [espn(952, { fullName: 'Never' })] }), { now: NOW, ownership: false }),
      (error: Error & { code?: string }) => error.code === '23505',
    );
    assert.equal((await playerById(id)).name, 'Before');
    assert.equal(await playerCount(), 2);
  });

  test('the statements issued do not depend on the plan size', async () => {
    const counted: string[] = [];
    // Kysely's log hook sees every statement it sends (BEGIN and COMMIT aside).
    const logged = new Kysely<OwnerDB>({ dialect: new PostgresDialect({ pool: database.pool }), log: (event) => {
      counted.push(event.query.sql);
    } });
    async function statementsFor(size: number, offset: number): Promise<string[]> {
      const existing = await Promise.all(Array.from({ length: size / 2 }, (_, index) => seedPlayer({ name: `Existing ${offset + index}`, playerDataId: offset + index })));
      const work = plan({
        updates: existing.map((id, index) => update(id, espn(offset + index, { fullName: `Existing ${offset + index}`, proTeamId: 5 }))),
        inserts: Array.from({ length: size / 2 }, (_, index) => espn(offset + size + index, { fullName: `New ${index}` })),
      });
      counted.length = 0;
      const counts = await writePlayerSync(logged as OwnerDb, work, { now: NOW, ownership: true });
      assert.deepEqual([counts.updated, counts.inserted], [size / 2, size / 2]);
      return [...counted];
    }
    const small = await statementsFor(10, 100_000);
    const large = await statementsFor(2_000, 200_000);
    assert.ok(small.length >= 4, `statements were counted (${small.length})`);
    assert.equal(large.length, small.length);
    assert.deepEqual(large, small, 'the very same statements, only the parameter grows');
    // Not destroyed: it shares the test database's pool, which drop() ends.
  });

  test('a 5,000-player plan writes correctly', async () => {
    const teams = [1, 2, 3];
    const existing = Array.from({ length: 2_500 }, (_, index) => ({ id: randomUUID(), name: `Veteran ${index}`, playerDataId: 10_000 + index, league: '1' as const, mlbTeam: 'BOS', leagueTeamId: index % 2 === 0 ? teamA : null, meta: index % 10 === 0 ? { minorLeaguePlayerFromSheet: { n: index } } : null, dateCreated: LONG_AGO, dateModified: LONG_AGO }));
    for (let start = 0; start < existing.length; start += 500) await database.db.insertInto('player').values(existing.slice(start, start + 500)).execute();
    const updates = existing.map((row, index) =>
      update(row.id, espn(row.playerDataId, { fullName: row.name, proTeamId: index % 2 === 0 ? 2 : 0, status: 'ONTEAM', onTeamId: teams[index % 3] })),
    );
    const inserts = Array.from({ length: 2_500 }, (_, index) => espn(50_000 + index, { fullName: `Prospect ${index}`, proTeamId: (index % 30) + 1 }));
    const counts = await writePlayerSync(owner, plan({ updates, inserts }), { now: NOW, ownership: false });
    assert.deepEqual(counts, { updated: 2_500, inserted: 2_500, unchanged: 0, skipped: 0, ownersDiffering: expectedDiffering(), ownershipUnknownTeams: [3] });
    assert.equal(await playerCount(), 5_000);
    const kept = await database.db.selectFrom('player').select(sql<number>`count(*)::integer`.as('n')).where(sql<boolean>`meta ? 'minorLeaguePlayerFromSheet'`).executeTakeFirstOrThrow();
    assert.equal(kept.n, 250);
    const again = await writePlayerSync(owner, plan({ updates, inserts: [] }), { now: LATER, ownership: false });
    assert.deepEqual([again.updated, again.unchanged], [0, 2_500]);

    /** ESPN's owner is team A (onTeamId 1) for index % 3 === 0, team B for 1, unknown (3, not compared) for 2; the row's is A for even indexes. */
    function expectedDiffering(): number {
      let differing = 0;
      for (let index = 0; index < 2_500; index += 1) {
        const espnTeam = teams[index % 3];
        const rowOnA = index % 2 === 0;
        if (espnTeam === 2 || (espnTeam === 1 && !rowOnA)) differing += 1;
      }
      return differing;
    }
  });

  test('loadPlayerRows: majors and linked minor leaguers, owner espnId, the position path only', async () => {
    const major = await seedPlayer({ name: 'Major', leagueTeamId: teamB, meta: { espnPlayer: { player: { defaultPositionId: 6, eligibleSlots: [4] } }, other: 'x' } });
    const linkedMinor = await seedPlayer({ name: 'Linked', league: '2', playerDataId: 1201, meta: { espnPlayer: { player: { defaultPositionId: 'junk' } } } });
    await seedPlayer({ name: 'Sheet only', league: '2' });
    const rows = await loadPlayerRows(owner);
    assert.deepEqual(
      [...rows].sort((a, b) => a.name.localeCompare(b.name)),
      [
        { id: linkedMinor, name: 'Linked', league: '2', mlbTeam: null, playerDataId: 1201, leagueTeamId: null, ownerEspnId: null, defaultPositionId: null },
        { id: major, name: 'Major', league: '1', mlbTeam: null, playerDataId: null, leagueTeamId: teamB, ownerEspnId: 2, defaultPositionId: 6 },
      ],
    );
    assert.deepEqual(rows.map((row) => row.id), [...rows.map((row) => row.id)].sort(), 'ordered by id');
  });
});

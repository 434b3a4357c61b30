import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect } from 'kysely';
import type { OwnerDb } from '../../../src/db/database.ts';
import type { OwnerDB } from '../../../src/db/owner-contract.ts';
import { isUuid, loadTradeView } from '../../../src/jobs/discord/load-trade-view.ts';
import type { TradeTeam, TradeView } from '../../../src/jobs/discord/trade-view.ts';
import { seedDatabase } from '../../../dev/seed/seed-database.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';

/** A UUID whose last group is `n`, so ids sort as their numbers do. */
const uuid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const team = (n: number) => uuid('0000000a', n);
const user = (n: number) => uuid('0000000b', n);
const trade = (n: number) => uuid('0000000c', n);
const participant = (n: number) => uuid('0000000d', n);
const item = (n: number) => uuid('0000000e', n);
const player = (n: number) => uuid('0000000f', n);
const pick = (n: number) => uuid('00000010', n);
const nowhere = (n: number) => uuid('00000099', n);

const ALPHA = team(1);
const BRAVO = team(2);
const CHARLIE = team(3);
const DELTA = team(4); // only a pick's original owner
const ECHO = team(5); // not in the trade

const TRADE = trade(1);
const CREATED = new Date('2026-04-01T12:30:00.000Z');
const SUBMITTED = new Date('2026-04-02T08:00:00.000Z');

let database: TestDatabase;
/** Every SQL statement loadTradeView issues, through a contract-typed Kysely that logs them. */
const statements: string[] = [];
let logged: OwnerDb;

async function seed(): Promise<void> {
  const { db } = database;
  await db
    .insertInto('team')
    .values([
      { id: ECHO, name: 'Echo' },
      { id: DELTA, name: 'Delta' },
      { id: CHARLIE, name: 'Charlie' },
      { id: BRAVO, name: 'Bravo' },
      { id: ALPHA, name: 'Alpha' },
    ])
    .execute();
  // Inserted out of id order: owners and labels must follow the user id, not the insertion.
  await db
    .insertInto('user')
    .values([
      { id: user(5), email: 'zed@example.com', displayName: 'Zed', csvName: 'Zed', discordUserId: null, teamId: CHARLIE },
      { id: user(4), email: 'chuck@example.com', displayName: 'Chuck C', csvName: 'Chuck', discordUserId: '222222222222222222', teamId: CHARLIE },
      { id: user(2), email: 'alf@example.com', displayName: 'Alf', csvName: ' ALF ', discordUserId: ' 111111111111111111 ', teamId: ALPHA },
      { id: user(1), email: 'al@example.com', displayName: 'Al', csvName: null, discordUserId: '   ', teamId: ALPHA },
      { id: user(3), email: 'bo@example.com', displayName: 'Bo', csvName: '   ', discordUserId: '', teamId: BRAVO },
      { id: user(6), email: 'echo@example.com', displayName: 'Ech', csvName: 'ECHO', discordUserId: null, teamId: ECHO },
    ])
    .execute();
  await db
    .insertInto('player')
    .values([
      { id: player(1), name: 'Mike Major', league: '1', mlbTeam: 'NYY', meta: { position: 'SS', espnPlayer: { id: 1 } } },
      { id: player(2), name: 'Pro Team Only', league: '1', mlbTeam: null, meta: { proTeamId: 10, position: 'OF' } },
      { id: player(3), name: 'No Meta', league: '1', mlbTeam: null, meta: { position: { not: 'a string' } } },
      {
        id: player(4),
        name: 'Minnie Minor',
        league: '2',
        mlbTeam: 'COL',
        meta: { position: 'C', minorLeaguePlayerFromSheet: { name: 'Minnie Minor', mlbTeam: 'SEA', position: 'P', leagueLevel: 'HM' } },
      },
    ])
    .execute();
  await db
    .insertInto('draft_pick')
    .values([
      { id: pick(1), type: '1', round: '1', season: 2027, originalOwnerId: DELTA, currentOwnerId: CHARLIE },
      { id: pick(2), type: '3', round: '2.0', season: 2026, originalOwnerId: ALPHA, currentOwnerId: ALPHA },
    ])
    .execute();
  await db
    .insertInto('trade')
    .values({ id: TRADE, status: '5', dateCreated: CREATED, submittedAt: SUBMITTED, declinedById: user(3), declinedReason: 'Too lopsided' })
    .execute();
  // Participant ids put a recipient first: the creator must still come first.
  await db
    .insertInto('trade_participant')
    .values([
      { id: participant(1), tradeId: TRADE, teamId: CHARLIE, participantType: '2' },
      { id: participant(2), tradeId: TRADE, teamId: ALPHA, participantType: '1' },
      { id: participant(3), tradeId: TRADE, teamId: BRAVO, participantType: '2' },
    ])
    .execute();
  await db
    .insertInto('trade_item')
    .values([
      { id: item(1), tradeId: TRADE, tradeItemType: '2', tradeItemId: pick(2), senderId: ALPHA, recipientId: BRAVO },
      { id: item(2), tradeId: TRADE, tradeItemType: '1', tradeItemId: player(4), senderId: BRAVO, recipientId: ALPHA },
      { id: item(3), tradeId: TRADE, tradeItemType: '1', tradeItemId: player(1), senderId: ALPHA, recipientId: CHARLIE },
      { id: item(4), tradeId: TRADE, tradeItemType: '1', tradeItemId: nowhere(1), senderId: CHARLIE, recipientId: ALPHA },
      { id: item(5), tradeId: TRADE, tradeItemType: '2', tradeItemId: pick(1), senderId: CHARLIE, recipientId: ALPHA },
      { id: item(6), tradeId: TRADE, tradeItemType: '1', tradeItemId: player(2), senderId: ALPHA, recipientId: BRAVO },
      { id: item(7), tradeId: TRADE, tradeItemType: '2', tradeItemId: nowhere(2), senderId: BRAVO, recipientId: ALPHA },
      { id: item(8), tradeId: TRADE, tradeItemType: '1', tradeItemId: player(3), senderId: null, recipientId: BRAVO },
    ])
    .execute();
}

before(async () => {
  database = await createTestDatabase();
  await seed();
  logged = new Kysely<OwnerDB>({
    dialect: new PostgresDialect({ pool: database.pool }),
    log: (event) => {
      if (event.level === 'query') statements.push(event.query.sql);
    },
  });
});

after(async () => {
  await database?.drop();
});

const alpha: TradeTeam = {
  id: ALPHA,
  name: 'Alpha',
  label: 'ALF',
  owners: [
    { userId: user(1), displayName: 'Al', csvName: null, discordUserId: null },
    { userId: user(2), displayName: 'Alf', csvName: ' ALF ', discordUserId: '111111111111111111' },
  ],
};
const bravo: TradeTeam = { id: BRAVO, name: 'Bravo', label: 'Bravo', owners: [{ userId: user(3), displayName: 'Bo', csvName: '   ', discordUserId: null }] };
const charlie: TradeTeam = {
  id: CHARLIE,
  name: 'Charlie',
  label: 'Chuck',
  owners: [
    { userId: user(4), displayName: 'Chuck C', csvName: 'Chuck', discordUserId: '222222222222222222' },
    { userId: user(5), displayName: 'Zed', csvName: 'Zed', discordUserId: null },
  ],
};
const delta: TradeTeam = { id: DELTA, name: 'Delta', label: 'Delta', owners: [] };

const expected: TradeView = {
  id: TRADE,
  status: '5',
  dateCreated: CREATED,
  submittedAt: SUBMITTED,
  participants: [
    { team: alpha, role: 'creator' },
    { team: charlie, role: 'recipient' },
    { team: bravo, role: 'recipient' },
  ],
  teams: new Map([
    [ALPHA, alpha],
    [BRAVO, bravo],
    [CHARLIE, charlie],
    [DELTA, delta],
  ]),
  items: [
    { id: item(3), kind: 'major', senderTeamId: ALPHA, recipientTeamId: CHARLIE, name: 'Mike Major', mlbTeam: 'NYY', position: 'SS' },
    { id: item(4), kind: 'major', senderTeamId: CHARLIE, recipientTeamId: ALPHA, name: null, mlbTeam: null, position: null },
    { id: item(6), kind: 'major', senderTeamId: ALPHA, recipientTeamId: BRAVO, name: 'Pro Team Only', mlbTeam: '10', position: 'OF' },
    { id: item(8), kind: 'major', senderTeamId: null, recipientTeamId: BRAVO, name: 'No Meta', mlbTeam: null, position: null },
    { id: item(2), kind: 'minor', senderTeamId: BRAVO, recipientTeamId: ALPHA, name: 'Minnie Minor', mlbTeam: 'SEA', position: 'P', level: 'HM' },
    { id: item(1), kind: 'pick', senderTeamId: ALPHA, recipientTeamId: BRAVO, type: '3', round: 2, season: 2026, originalOwnerTeamId: ALPHA },
    { id: item(5), kind: 'pick', senderTeamId: CHARLIE, recipientTeamId: ALPHA, type: '1', round: 1, season: 2027, originalOwnerTeamId: DELTA },
    { id: item(7), kind: 'pick', senderTeamId: BRAVO, recipientTeamId: ALPHA, type: null, round: null, season: null, originalOwnerTeamId: null },
  ],
  decliningUser: 'Bo',
  declinedReason: 'Too lopsided',
};

/** Adds a trade between ALPHA (creator) and BRAVO with `players` majors, as many picks, alternating sides. */
async function tradeOfSize(n: number, size: number): Promise<string> {
  const { db } = database;
  const id = trade(n);
  await db.insertInto('trade').values({ id, status: '2' }).execute();
  await db
    .insertInto('trade_participant')
    .values([
      { id: participant(n * 10), tradeId: id, teamId: ALPHA, participantType: '1' },
      { id: participant(n * 10 + 1), tradeId: id, teamId: BRAVO, participantType: '2' },
    ])
    .execute();
  const players = Array.from({ length: size }, (_, i) => ({ id: player(n * 1000 + i), name: `P${n}-${i}`, league: i % 2 === 0 ? ('1' as const) : ('2' as const) }));
  const picks = Array.from({ length: size }, (_, i) => ({ id: pick(n * 1000 + i), type: '2' as const, round: String(i + 1), season: 2030 + n, originalOwnerId: i % 2 === 0 ? CHARLIE : DELTA }));
  await db.insertInto('player').values(players).execute();
  await db.insertInto('draft_pick').values(picks).execute();
  const sides = (i: number) => (i % 2 === 0 ? { senderId: ALPHA, recipientId: BRAVO } : { senderId: BRAVO, recipientId: ALPHA });
  await db
    .insertInto('trade_item')
    .values([
      ...players.map((p, i) => ({ id: item(n * 1000 + i), tradeId: id, tradeItemType: '1' as const, tradeItemId: p.id, ...sides(i) })),
      ...picks.map((p, i) => ({ id: item(n * 1000 + size + i), tradeId: id, tradeItemType: '2' as const, tradeItemId: p.id, ...sides(i) })),
    ])
    .execute();
  return id;
}

async function statementsFor(tradeId: string): Promise<{ view: TradeView | undefined; sql: string[] }> {
  statements.length = 0;
  const view = await loadTradeView(logged, tradeId);
  return { view, sql: [...statements] };
}

describe('loadTradeView', () => {
  test('a trade of three teams, as the Discord messages show it', async () => {
    const view = await loadTradeView(logged, TRADE);
    assert.deepEqual(view, expected);
    // deepEqual compares Maps by content; the view promises them by team id.
    assert.deepEqual([...(view?.teams.keys() ?? [])], [ALPHA, BRAVO, CHARLIE, DELTA]);
    assert.ok(!view?.teams.has(ECHO), 'a team the trade does not name is not loaded');
  });

  test('labels (§5.4): first non-blank csvName by user id, else the team name, else "Unknown"', async () => {
    const view = await loadTradeView(logged, TRADE);
    assert.deepEqual(
      [...(view?.teams.values() ?? [])].map((t) => t.label),
      ['ALF', 'Bravo', 'Chuck', 'Delta'],
    );
    // A blank team name with no csvName is "Unknown"; a user's csvName on another team never counts.
    await database.db.updateTable('team').set({ name: '  ' }).where('id', '=', DELTA).execute();
    await database.db.updateTable('user').set({ csvName: null }).where('id', '=', user(4)).execute();
    try {
      const relabelled = await loadTradeView(logged, TRADE);
      assert.equal(relabelled?.teams.get(DELTA)?.label, 'Unknown');
      assert.equal(relabelled?.teams.get(CHARLIE)?.label, 'Zed', 'the next user by id');
    } finally {
      await database.db.updateTable('team').set({ name: 'Delta' }).where('id', '=', DELTA).execute();
      await database.db.updateTable('user').set({ csvName: 'Chuck' }).where('id', '=', user(4)).execute();
    }
  });

  test('without a decliner, decliningUser is null', async () => {
    const id = await tradeOfSize(2, 1);
    const view = await loadTradeView(logged, id);
    assert.equal(view?.decliningUser, null);
    assert.equal(view?.declinedReason, null);
    assert.equal(view?.submittedAt, null);
    assert.equal(view?.status, '2');
    assert.deepEqual(view?.participants.map((p) => [p.team.id, p.role]), [[ALPHA, 'creator'], [BRAVO, 'recipient']]);
  });

  test('the number of queries does not grow with the trade (no query per item or team)', async () => {
    const small = await statementsFor(await tradeOfSize(3, 1));
    const large = await statementsFor(await tradeOfSize(4, 25));
    assert.equal(small.view?.items.length, 2);
    assert.equal(large.view?.items.length, 50);
    assert.equal(large.view?.teams.size, 4, 'ALPHA, BRAVO and the picks\' original owners');
    assert.deepEqual(large.sql.length, small.sql.length);
    const selects = large.sql.filter((text) => /^\s*select/i.test(text));
    assert.equal(selects.length, 4, `trade, participants, items, teams: ${selects.join('\n---\n')}`);
    // And the three-team trade above takes no more.
    assert.equal((await statementsFor(TRADE)).sql.length, small.sql.length);
  });

  test('an unknown id is undefined, after one query', async () => {
    const { view, sql } = await statementsFor(nowhere(3));
    assert.equal(view, undefined);
    assert.equal(sql.filter((text) => /^\s*select/i.test(text)).length, 1);
  });

  test('an id that is no UUID is undefined, without a query', async () => {
    for (const id of ['not-a-uuid', '', `${TRADE} `, `${TRADE}0`, "'; drop table trade; --"]) {
      const { view, sql } = await statementsFor(id);
      assert.equal(view, undefined, id);
      assert.deepEqual(sql, [], id);
    }
    assert.ok(isUuid(TRADE.toUpperCase()));
  });
});

describe('loadTradeView on the seeded dev league, against the owner\'s hydrated_trades view', () => {
  let seeded: TestDatabase;
  let owner: OwnerDb;

  before(async () => {
    seeded = await createTestDatabase();
    await seedDatabase(seeded.url, { season: 2026 });
    owner = new Kysely<OwnerDB>({ dialect: new PostgresDialect({ pool: seeded.pool }) });
  });

  after(async () => {
    await seeded?.drop();
  });

  type Named = { name?: unknown };
  type Pick = { season?: unknown; round?: unknown; type?: unknown };
  const names = (list: readonly Named[] | null) => (list ?? []).map((p) => p.name).sort();
  const picks = (list: readonly Pick[]) => list.map((p) => `${String(p.season)}/${Number(p.round)}/${String(p.type)}`).sort();

  test('every seeded trade: the same teams, decliner, players and picks as the owner shows', async () => {
    const rows = await seeded.db.selectFrom('hydrated_trades').selectAll().orderBy('tradeId').execute();
    assert.ok(rows.length > 3, 'the seed has trades');
    const seen = { items: 0, minors: 0, picks: 0, declined: 0, threeTeams: 0 };
    for (const row of rows) {
      const id = row.tradeId ?? '';
      const view = await loadTradeView(owner, id);
      assert.ok(view, id);
      const creators = view.participants.filter((p) => p.role === 'creator').map((p) => p.team.name);
      const recipients = view.participants.filter((p) => p.role === 'recipient').map((p) => p.team.name);
      assert.deepEqual(creators, row.tradeCreator === null ? [] : [row.tradeCreator], id);
      assert.deepEqual(recipients.sort(), [...(row.tradeRecipients ?? [])].sort(), id);
      assert.equal(view.status, row.tradeStatus, id);
      assert.equal(view.decliningUser, row.decliningUser, id);
      assert.equal(view.declinedReason, row.declinedReason, id);
      const majors = view.items.filter((item) => item.kind === 'major');
      const minors = view.items.filter((item) => item.kind === 'minor');
      const picked = view.items.filter((item) => item.kind === 'pick');
      assert.deepEqual(majors.map((m) => m.name).sort(), names(row.tradedMajors as Named[] | null), id);
      assert.deepEqual(minors.map((m) => m.name).sort(), names(row.tradedMinors as Named[] | null), id);
      assert.deepEqual(picks(picked), picks((row.tradedPicks as Pick[] | null) ?? []), id);
      for (const item of view.items) {
        for (const team of [item.senderTeamId, item.recipientTeamId, item.kind === 'pick' ? item.originalOwnerTeamId : null]) {
          if (team !== null) assert.ok(view.teams.has(team), `${id}: team ${team} named by item ${item.id} is loaded`);
        }
      }
      seen.items += view.items.length;
      seen.minors += minors.length;
      seen.picks += picked.length;
      if (view.decliningUser !== null) seen.declined += 1;
      if (view.participants.length === 3) seen.threeTeams += 1;
    }
    // The comparison covered every kind of item, a decline and a three-team trade.
    assert.ok(Object.values(seen).every((n) => n > 0), JSON.stringify(seen));
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { closeOwnerDb, createOwnerDb } from '../../src/db/database.ts';
import { composeEmail } from '../../src/jobs/email/compose-email.ts';
import { emailPayload } from '../../src/jobs/email/email-payload.ts';
import { seedDatabase } from '../../dev/seed/seed-database.ts';
import { seedExamples } from '../../dev/seed/seed-examples.ts';
import { seedTables } from '../../dev/seed/seed-league.ts';
import { SeedConflictError } from '../../dev/seed/write-league.ts';
import { firstSteps } from '../../dev/first-steps.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const SEASON = 2026;

/** One md5 per seeded table over every row's full text: any changed, added or removed row changes it. */
async function checksums(pool: pg.Pool): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const table of seedTables) {
    const { rows } = await pool.query<{ sum: string; n: number }>(
      `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum, count(*)::int AS n FROM "${table}" t`,
    );
    sums[table] = `${rows[0]?.n}:${rows[0]?.sum}`;
  }
  return sums;
}

let database: TestDatabase;
let other: TestDatabase;

before(async () => {
  [database, other] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
after(async () => {
  await Promise.all([database?.drop(), other?.drop()]);
});

describe('npm run db:seed (dev/seed)', () => {
  let first: Record<string, string>;

  it('fills an empty owner database, and a second run changes no row', async () => {
    const run1 = await seedDatabase(database.url, { season: SEASON });
    assert.ok(seedTables.every((table) => run1.inserted[table] > 0), JSON.stringify(run1.inserted));
    first = await checksums(database.pool);
    const run2 = await seedDatabase(database.url, { season: SEASON });
    assert.deepEqual(Object.values(run2.inserted), seedTables.map(() => 0));
    assert.deepEqual(await checksums(database.pool), first);
  });

  it('is the same league on every database: ids, names and dates are fixed by the seed', async () => {
    await seedDatabase(other.url, { season: SEASON });
    assert.deepEqual(await checksums(other.pool), first);
  });

  it('has teams with ESPN ids and owners with emails, sheet names, Discord ids and settings', async () => {
    const teams = await database.db.selectFrom('team').selectAll().where('espnId', 'is not', null).orderBy('espnId').execute();
    assert.deepEqual(teams.map((team) => team.espnId), Array.from({ length: 20 }, (_, index) => index + 1));
    assert.ok(teams.every((team) => team.status === '1' && team.espnTeam !== null && new Set(teams.map((t) => t.name)).size === 20));
    const owners = await database.db.selectFrom('user').selectAll().where('teamId', 'is not', null).execute();
    assert.ok(owners.length >= 20);
    assert.ok(owners.every((user) => /^[^@\s]+@example\.com$/.test(user.email) && user.displayName));
    assert.equal(owners.filter((user) => user.csvName !== null).length, 20);
    assert.ok(owners.filter((user) => user.discordUserId !== null).every((user) => /^\d{17,19}$/.test(user.discordUserId ?? '')));
    assert.ok(owners.some((user) => user.discordUserId !== null));
    assert.ok(owners.some((user) => JSON.stringify(user.userSettings).includes('tradeActionEmail')));
    assert.deepEqual(new Set((await database.db.selectFrom('user').select('role').execute()).map((user) => user.role)), new Set(['1', '2', '3']));
  });

  it('has majors and minors whose meta the hydrated views read, and picks for this season and the next', async () => {
    const majors = await database.db.selectFrom('hydrated_majors').selectAll().execute();
    assert.ok(majors.length > 500);
    assert.ok(majors.every((player) => Array.isArray(player.eligiblePositions) && typeof player.mainPosition === 'string' && player.mlbTeam));
    const minors = await database.db.selectFrom('hydrated_minors').selectAll().execute();
    assert.ok(minors.length > 200);
    assert.ok(minors.every((player) => player.minorTeam && player.position && ['HM', 'LM'].includes(player.minorLeagueLevel ?? '')));
    const picks = await database.db.selectFrom('draft_pick').select(['season', 'type']).execute();
    assert.equal(picks.length, 300);
    assert.deepEqual(new Set(picks.map((pick) => `${pick.type}/${pick.season}`)), new Set([`1/${SEASON + 1}`, `2/${SEASON}`, `3/${SEASON}`]));
  });

  it('has trades in every status, each with majors, minors and picks, and the details its status implies', async () => {
    const trades = await database.db.selectFrom('hydrated_trades').selectAll().execute();
    const raw = new Map((await database.db.selectFrom('trade').selectAll().execute()).map((trade) => [trade.id, trade]));
    assert.deepEqual(new Set(trades.map((trade) => trade.tradeStatus)), new Set(['1', '2', '3', '4', '5', '6']));
    for (const trade of trades) {
      const where = `trade ${trade.tradeId} (status ${trade.tradeStatus})`;
      assert.ok(trade.tradeCreator && (trade.tradeRecipients?.length ?? 0) >= 1, where);
      for (const items of [trade.tradedMajors, trade.tradedMinors, trade.tradedPicks]) assert.ok(Array.isArray(items) && items.length > 0, where);
      const row = raw.get(trade.tradeId ?? '');
      const accepted = trade.tradeStatus === '4' || trade.tradeStatus === '6';
      assert.equal(trade.acceptedOnDate !== null, accepted, where);
      assert.equal((trade.acceptingUsers?.length ?? 0) > 0, accepted || trade.tradeStatus === '3', where);
      assert.equal(trade.decliningUser !== null && trade.declinedReason !== null && row?.declinedAt !== null, trade.tradeStatus === '5', where);
      assert.equal(row?.submittedAt !== null && row?.submittedById !== null, trade.tradeStatus === '6', where);
    }
    const participants = await database.db.selectFrom('trade_participant').select(['tradeId', 'participantType']).execute();
    for (const trade of trades) {
      const types = participants.filter((p) => p.tradeId === trade.tradeId).map((p) => p.participantType);
      assert.equal(types.filter((type) => type === '1').length, 1);
    }
  });

  it('has the users and the trade that the first-step commands name, and the trade-request email renders', async () => {
    const owner = createOwnerDb({ url: database.url, poolMax: 2 });
    try {
      for (const step of firstSteps('http://localhost:3000').filter((s) => s.command.includes('email.send'))) {
        const json = /'(\{.*\})'$/.exec(step.command)?.[1] ?? '';
        const payload = emailPayload.parse(JSON.parse(json));
        const composed = await composeEmail(owner.db, 'production', payload);
        assert.ok(composed.recipient.email.endsWith('@example.com'));
        if (payload.type === 'trade_request') {
          assert.equal(composed.tradeId, seedExamples.tradeRequest.tradeId);
          assert.equal(payload.recipientUserId, seedExamples.tradeRequest.recipientUserId);
          // The recipient owns a team the trade is asking.
          const recipientTeam = await database.db.selectFrom('user').select('teamId').where('id', '=', payload.recipientUserId).executeTakeFirstOrThrow();
          const asked = await database.db
            .selectFrom('trade_participant')
            .select('participantType')
            .where('tradeId', '=', payload.tradeId)
            .where('teamId', '=', recipientTeam.teamId)
            .executeTakeFirst();
          assert.equal(asked?.participantType, '2');
          // Every traded player and pick shows up in the email.
          const trade = await database.db.selectFrom('hydrated_trades').selectAll().where('tradeId', '=', payload.tradeId).executeTakeFirstOrThrow();
          assert.equal(trade.tradeStatus, '2');
          const players = [trade.tradedMajors, trade.tradedMinors].flatMap((items) => (items as { name: string }[] | null) ?? []);
          assert.ok(players.length >= 2 && (trade.tradedPicks as unknown[] | null)?.length);
          for (const player of players) assert.ok(composed.rendered.text.includes(player.name), player.name);
          assert.match(composed.rendered.text, /round \d+ (major league|high minors|low minors) pick/);
        }
      }
    } finally {
      await closeOwnerDb(owner);
    }
  });

  it('refuses to mix with rows it did not make, and leaves the database as it was', async () => {
    const clash = await createTestDatabase();
    try {
      await clash.db.insertInto('team').values({ id: '00000000-0000-4000-8000-000000000001', name: 'Already here', espnId: 3, status: '1' }).execute();
      await assert.rejects(seedDatabase(clash.url, { season: SEASON }), (error: unknown) => {
        assert.ok(error instanceof SeedConflictError);
        assert.match(error.message, /"team" row the seed did not make \(Key \("espnId"\)=\(3\) already exists\.\)/);
        return true;
      });
      assert.equal((await clash.db.selectFrom('team').select('id').execute()).length, 1);
    } finally {
      await clash.drop();
    }
  });
});

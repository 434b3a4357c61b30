/**
 * The slash commands (jobs-reference §5.6, §5.7 fixes) against PostgreSQL with a hand-built league:
 * each command and filter with its exact embed, drafts only for their creator, unlinked and teamless
 * callers, an unknown command, a fixed number of statements, and a slow database (defer, then follow up).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect } from 'kysely';
import { pino } from 'pino';
import pg from 'pg';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionType, type APIInteractionResponseCallbackData } from 'discord-api-types/v10';
import type { OwnerDB } from '../../../src/db/owner-contract.ts';
import type { CommandInteraction, CommandResponder } from '../../../src/jobs/discord/commands/command-responder.ts';
import { APOLOGY, runCommand, type RunCommandDeps } from '../../../src/jobs/discord/commands/run-command.ts';
import { commandDefinitions } from '../../../src/jobs/discord/commands/definitions.ts';
import { loadTradeList, type TradeListEntry } from '../../../src/jobs/discord/commands/trade-list.ts';
import { LIST_DESCRIPTION_MAX, tradeListEmbed } from '../../../src/jobs/discord/commands/list-embed.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { seedDatabase } from '../../../dev/seed/seed-database.ts';

const uuid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const team = (n: number) => uuid('0000000a', n);
const user = (n: number) => uuid('0000000b', n);
const trade = (n: number) => uuid('0000000c', n);
const participant = (n: number) => uuid('0000000d', n);
const item = (n: number) => uuid('0000000e', n);
const player = (n: number) => uuid('0000000f', n);
const pick = (n: number) => uuid('00000010', n);

const ALPHA = team(1);
const BRAVO = team(2);
const CHARLIE = team(3);
const DELTA = team(4); // no trades

const ALPHA_DISCORD = '100000000000000001';
const TEAMLESS_DISCORD = '100000000000000002';
const BRAVO_DISCORD = '100000000000000003';
const DELTA_DISCORD = '100000000000000004';
const STRANGER_DISCORD = '100000000000000009';

const FRONT = 'https://trades.example.com';
const day = (d: number) => new Date(Date.UTC(2026, 3, d, 12, 0, 0));
const unix = (d: number) => Math.floor(day(d).getTime() / 1000);

let database: TestDatabase;
const statements: string[] = [];
let logged: Kysely<OwnerDB>;

class TestReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}
const reader = new TestReader();

/** worker.discord.commands by "command/outcome". */
async function commandCounts(): Promise<Record<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const counts: Record<string, number> = {};
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== 'worker.discord.commands') continue;
      for (const point of (metric as SumMetricData).dataPoints) counts[`${String(point.attributes.command)}/${String(point.attributes.outcome)}`] = point.value;
    }
  }
  return counts;
}

async function addTrade(n: number, status: '1' | '2' | '3' | '4' | '5' | '6', created: Date, creator: string, recipients: readonly string[]): Promise<void> {
  const { db } = database;
  await db.insertInto('trade').values({ id: trade(n), status, dateCreated: created }).execute();
  await db
    .insertInto('trade_participant')
    .values([
      // A recipient row with the lower id: the creator must still come first.
      ...recipients.map((teamId, i) => ({ id: participant(n * 10 + i), tradeId: trade(n), teamId, participantType: '2' as const })),
      { id: participant(n * 10 + 9), tradeId: trade(n), teamId: creator, participantType: '1' as const },
    ])
    .execute();
}

async function seed(): Promise<void> {
  const { db } = database;
  await db
    .insertInto('team')
    .values([
      { id: ALPHA, name: 'Alpha' },
      { id: BRAVO, name: 'Bravo' },
      { id: CHARLIE, name: 'Charlie' },
      { id: DELTA, name: 'Delta' },
    ])
    .execute();
  await db
    .insertInto('user')
    .values([
      { id: user(1), email: 'al@example.com', displayName: 'Al', csvName: 'ALF', discordUserId: ALPHA_DISCORD, teamId: ALPHA },
      { id: user(2), email: 'nobody@example.com', displayName: 'Nobody', csvName: null, discordUserId: TEAMLESS_DISCORD, teamId: null },
      { id: user(3), email: 'bo@example.com', displayName: 'Bo', csvName: '  ', discordUserId: BRAVO_DISCORD, teamId: BRAVO },
      { id: user(5), email: 'zed@example.com', displayName: 'Zed', csvName: 'Zed', discordUserId: null, teamId: CHARLIE },
      { id: user(4), email: 'chuck@example.com', displayName: 'Chuck', csvName: 'Chuck', discordUserId: null, teamId: CHARLIE },
      { id: user(6), email: 'dee@example.com', displayName: 'Dee', csvName: 'Dee', discordUserId: DELTA_DISCORD, teamId: DELTA },
    ])
    .execute();
  await db
    .insertInto('player')
    .values([
      { id: player(1), name: 'Mike Major', league: '1' },
      { id: player(2), name: 'Minnie Minor', league: '2' },
      { id: player(3), name: 'Sam Slugger', league: '1' },
    ])
    .execute();
  await db
    .insertInto('draft_pick')
    .values([
      { id: pick(1), type: '1', round: '1', season: 2027, originalOwnerId: CHARLIE, currentOwnerId: BRAVO },
      { id: pick(2), type: '3', round: '22.0', season: 2027, originalOwnerId: ALPHA, currentOwnerId: ALPHA },
    ])
    .execute();

  await addTrade(1, '1', day(1), ALPHA, [BRAVO]); // a draft Alpha created: listed under all
  await addTrade(2, '1', day(2), BRAVO, [ALPHA]); // a draft Bravo created: never listed for Alpha
  await addTrade(3, '2', day(3), ALPHA, [BRAVO]);
  await addTrade(4, '3', day(4), BRAVO, [ALPHA, CHARLIE]);
  await addTrade(5, '4', day(5), ALPHA, [CHARLIE]);
  await addTrade(6, '5', day(6), CHARLIE, [ALPHA]);
  await addTrade(7, '6', day(7), ALPHA, [BRAVO]);
  await addTrade(8, '2', day(8), BRAVO, [CHARLIE]); // not Alpha's
  await db
    .insertInto('trade_item')
    .values([
      { id: item(1), tradeId: trade(3), tradeItemType: '2', tradeItemId: pick(1), senderId: BRAVO, recipientId: ALPHA },
      { id: item(2), tradeId: trade(3), tradeItemType: '1', tradeItemId: player(1), senderId: ALPHA, recipientId: BRAVO },
      { id: item(3), tradeId: trade(3), tradeItemType: '1', tradeItemId: player(3), senderId: BRAVO, recipientId: ALPHA },
      { id: item(4), tradeId: trade(4), tradeItemType: '1', tradeItemId: player(2), senderId: BRAVO, recipientId: ALPHA },
      { id: item(5), tradeId: trade(4), tradeItemType: '2', tradeItemId: pick(2), senderId: ALPHA, recipientId: BRAVO },
      { id: item(6), tradeId: trade(6), tradeItemType: '1', tradeItemId: player(1), senderId: CHARLIE, recipientId: ALPHA },
    ])
    .execute();
}

/** Every call the command made, in order. */
class RecordingResponder implements CommandResponder {
  readonly calls: ({ kind: 'reply' | 'followUp'; data: APIInteractionResponseCallbackData } | { kind: 'defer' })[] = [];
  async reply(data: APIInteractionResponseCallbackData): Promise<void> {
    this.calls.push({ kind: 'reply', data });
  }
  async defer(): Promise<void> {
    this.calls.push({ kind: 'defer' });
  }
  async followUp(data: APIInteractionResponseCallbackData): Promise<void> {
    this.calls.push({ kind: 'followUp', data });
  }
}

function interaction(name: string, caller: { member?: string; user?: string }, status?: string): CommandInteraction {
  const discordUser = (id: string) => ({ id, username: `u${id}`, discriminator: '0', global_name: null, avatar: null });
  return {
    id: '900000000000000001',
    application_id: '900000000000000002',
    type: InteractionType.ApplicationCommand,
    token: 'interaction-token',
    version: 1,
    guild_id: '900000000000000003',
    data: {
      id: '900000000000000004',
      name,
      type: ApplicationCommandType.ChatInput,
      ...(status === undefined ? {} : { options: [{ name: 'status', type: ApplicationCommandOptionType.String, value: status }] }),
    },
    ...(caller.member === undefined ? {} : { member: { user: discordUser(caller.member), roles: [], joined_at: '2026-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0 } }),
    ...(caller.user === undefined ? {} : { user: discordUser(caller.user) }),
  } as unknown as CommandInteraction;
}

function deps(overrides: Partial<RunCommandDeps> = {}): RunCommandDeps {
  return { db: logged, frontendOrigin: FRONT, deferAfterMs: 2000, log: pino({ level: 'silent' }), ...overrides };
}

async function run(name: string, caller: { member?: string; user?: string }, status?: string, extra: Partial<RunCommandDeps> = {}) {
  const responder = new RecordingResponder();
  const outcome = await runCommand(interaction(name, caller, status), responder, deps(extra));
  return { outcome, calls: responder.calls };
}

const entry3 = [
  `1. Requested | <t:${unix(3)}:R>`,
  // Players before picks; a pick names its original owner's team.
  'You get: Sam Slugger, Charlie\'s 1st Major League pick',
  'Bravo gets: Mike Major',
  `[View trade](${FRONT}/trades/${trade(3)}/review)`,
];
const entry4 = (i: number) => [
  `${i}. Pending | <t:${unix(4)}:R>`,
  "Bravo gets: Alpha's 22nd Low Minors pick",
  'You get: Minnie Minor',
  'Chuck gets: _nothing_',
  `[View trade](${FRONT}/trades/${trade(4)}/review)`,
];
const entry5 = (i: number) => [`${i}. Accepted | <t:${unix(5)}:R>`, 'You get: _nothing_', 'Chuck gets: _nothing_', `[View trade](${FRONT}/trades/${trade(5)}/review)`];
const entry6 = (i: number) => [`${i}. Declined | <t:${unix(6)}:R>`, 'Chuck gets: _nothing_', 'You get: Mike Major', `[View trade](${FRONT}/trades/${trade(6)}/review)`];
const entry7 = (i: number) => [`${i}. Submitted | <t:${unix(7)}:R>`, 'You get: _nothing_', 'Bravo gets: _nothing_', `[View trade](${FRONT}/trades/${trade(7)}/review)`];
const description = (...entries: string[][]) => entries.map((lines) => lines.join('\n')).join('\n\n');

function listReply(title: string, text: string, footer: string): APIInteractionResponseCallbackData {
  return { flags: 64, embeds: [{ title, color: 0x3498db, description: text, footer: { text: footer } }] };
}

before(async () => {
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  database = await createTestDatabase();
  await seed();
  logged = new Kysely<OwnerDB>({
    dialect: new PostgresDialect({ pool: database.pool }),
    log: (event) => {
      if (event.level === 'query' || event.level === 'error') statements.push(event.query.sql);
    },
  });
});

after(async () => {
  await database?.drop();
  metrics.disable();
});

describe('the definitions', () => {
  test('my-trades says what it lists; trade-history has the status choices', () => {
    // As sent: undefined fields are not part of the JSON body.
    const sent = JSON.parse(JSON.stringify(commandDefinitions)) as { name: string; description: string; options?: unknown[] }[];
    assert.deepEqual(
      sent.map((c) => [c.name, c.description]),
      [
        ['my-trades', 'Your requested, pending and accepted trades'],
        ['trade-history', 'Your last 5 trades (see the web app for more)'],
      ],
    );
    assert.equal(sent[0]!.options?.length ?? 0, 0);
    const [status, ...more] = sent[1]!.options ?? [];
    assert.equal(more.length, 0);
    assert.deepEqual(status, {
      type: ApplicationCommandOptionType.String,
      name: 'status',
      description: 'Filter by status (default: all)',
      required: false,
      choices: [
        { name: 'Active', value: 'active' },
        { name: 'Closed', value: 'closed' },
        { name: 'All', value: 'all' },
      ],
    });
  });
});

describe('the lists', () => {
  const newest5 = description(entry7(1), entry6(2), entry5(3), entry4(4), entry3.map((l, i) => (i === 0 ? l.replace(/^1\./, '5.') : l)));

  test('my-trades: requested, pending and accepted, newest first', async () => {
    const { outcome, calls } = await run('my-trades', { member: ALPHA_DISCORD });
    assert.equal(outcome, 'replied');
    const entry3as3 = entry3.map((l, i) => (i === 0 ? l.replace(/^1\./, '3.') : l));
    assert.deepEqual(calls, [{ kind: 'reply', data: listReply('Your Active Trades', description(entry5(1), entry4(2), entry3as3), `View all trades at ${FRONT}/my-trades`) }]);
  });

  test('trade-history active has its own title, the same trades', async () => {
    const { calls } = await run('trade-history', { member: ALPHA_DISCORD }, 'active');
    const entry3as3 = entry3.map((l, i) => (i === 0 ? l.replace(/^1\./, '3.') : l));
    assert.deepEqual(calls, [{ kind: 'reply', data: listReply('Your Last 5 Active Trades', description(entry5(1), entry4(2), entry3as3), `View all trades at ${FRONT}/my-trades`) }]);
  });

  test('trade-history closed: declined and submitted', async () => {
    const { calls } = await run('trade-history', { member: ALPHA_DISCORD }, 'closed');
    assert.deepEqual(calls, [{ kind: 'reply', data: listReply('Your Last 5 Closed Trades', description(entry7(1), entry6(2)), `View all trades at ${FRONT}/my-trades`) }]);
  });

  test('trade-history all (and with no option): the newest 5 of 6, the draft Alpha created counted, not the one Bravo created', async () => {
    for (const status of ['all', undefined]) {
      const { calls } = await run('trade-history', { member: ALPHA_DISCORD }, status);
      assert.deepEqual(calls, [{ kind: 'reply', data: listReply('Your Last 5 Trades', newest5, `and 1 more — view all at ${FRONT}/my-trades`) }], `status ${status}`);
    }
  });

  test("the draft the caller created is listed under all; another team's draft is not", async () => {
    // Past the newest 5: the list itself, with room for every trade.
    const alpha = await loadTradeList(logged, ALPHA, 'all', 50);
    assert.deepEqual(
      alpha.trades.map((t) => [t.id, t.status]),
      [
        [trade(7), '6'],
        [trade(6), '5'],
        [trade(5), '4'],
        [trade(4), '3'],
        [trade(3), '2'],
        [trade(1), '1'],
      ],
    );
    assert.equal(alpha.total, 6);
    // And the other way round: Bravo sees its own draft, not Alpha's.
    const bravo = await loadTradeList(logged, BRAVO, 'all', 50);
    assert.deepEqual(
      bravo.trades.map((t) => t.id),
      [trade(8), trade(7), trade(4), trade(3), trade(2)],
    );
    assert.equal(bravo.total, 5);
  });

  test('a user of the interaction (no member, as in a DM) is found too; no frontend means no links', async () => {
    const { calls } = await run('trade-history', { user: ALPHA_DISCORD }, 'closed', { frontendOrigin: '' });
    const noLink = (lines: string[]) => lines.slice(0, -1);
    assert.deepEqual(calls, [{ kind: 'reply', data: listReply('Your Last 5 Closed Trades', description(noLink(entry7(1)), noLink(entry6(2))), 'View more on the trades app') }]);
  });

  test("another team's view: its own line is You get, the caller's team goes by its CSV label", async () => {
    const { calls } = await run('trade-history', { member: BRAVO_DISCORD }, 'closed');
    const asBravo = entry7(1).map((l) => l.replace('You get', 'ALF gets').replace('Bravo gets', 'You get'));
    assert.deepEqual(calls, [{ kind: 'reply', data: listReply('Your Last 5 Closed Trades', description(asBravo), `View all trades at ${FRONT}/my-trades`) }]);
  });

  test('a team with no matching trades: _No trades found._', async () => {
    const { outcome, calls } = await run('my-trades', { member: DELTA_DISCORD });
    assert.equal(outcome, 'replied');
    assert.deepEqual(calls, [{ kind: 'reply', data: listReply('Your Active Trades', '_No trades found._', `View all trades at ${FRONT}/my-trades`) }]);
  });
});

describe("Discord's limits", () => {
  const bigTrade = (n: number, players: number): TradeListEntry => ({
    id: trade(n),
    status: '2',
    dateCreated: day(n),
    participants: [
      { teamId: ALPHA, label: 'ALF' },
      { teamId: BRAVO, label: 'Bravo' },
    ],
    items: Array.from({ length: players }, (_, i) => ({ kind: 'player' as const, recipientTeamId: ALPHA, name: `Player Number ${n}-${i} With A Long Name` })),
  });

  test('entries are kept while the description fits 4096 − 120; the rest count as more', () => {
    const list = { trades: [1, 2, 3, 4, 5].map((n) => bigTrade(n, 30)), total: 9 };
    const embed = tradeListEmbed('Your Last 5 Trades', list, ALPHA, FRONT);
    const kept = embed.description!.split('\n\n');
    assert.ok(embed.description!.length <= LIST_DESCRIPTION_MAX, `${embed.description!.length} characters`);
    assert.ok(kept.length >= 1 && kept.length < 5, `${kept.length} entries`);
    // Whole entries only, each as it would be alone.
    assert.deepEqual(kept, list.trades.slice(0, kept.length).map((t, i) => tradeListEmbed('t', { trades: [t], total: 1 }, ALPHA, FRONT).description!.replace(/^1\./, `${i + 1}.`)));
    assert.equal(embed.footer?.text, `and ${9 - kept.length} more — view all at ${FRONT}/my-trades`);
  });

  test('a single entry too long for the description is cut by lines, never dropped', () => {
    const embed = tradeListEmbed('Your Last 5 Trades', { trades: [bigTrade(1, 400)], total: 1 }, ALPHA, FRONT);
    assert.ok(embed.description!.length <= LIST_DESCRIPTION_MAX, `${embed.description!.length} characters`);
    const lines = embed.description!.split('\n');
    assert.equal(lines.length, 4);
    assert.equal(lines[0], `1. Requested | <t:${unix(1)}:R>`);
    assert.match(lines[1]!, /^You get: Player Number 1-0 With A Long Name, .*…$/);
    assert.equal(lines[2], 'Bravo gets: _nothing_');
    assert.equal(lines[3], `[View trade](${FRONT}/trades/${trade(1)}/review)`);
  });
});

describe('the callers', () => {
  test('unlinked: the caller is told, nothing listed', async () => {
    const { outcome, calls } = await run('my-trades', { member: STRANGER_DISCORD });
    assert.equal(outcome, 'not_linked');
    assert.deepEqual(calls, [{ kind: 'reply', data: { flags: 64, content: "Your Discord account isn't linked to a TradeMachine account." } }]);
  });

  test('teamless: the caller is told', async () => {
    const { outcome, calls } = await run('trade-history', { member: TEAMLESS_DISCORD }, 'all');
    assert.equal(outcome, 'no_team');
    assert.deepEqual(calls, [{ kind: 'reply', data: { flags: 64, content: "You don't have a team assigned in TradeMachine." } }]);
  });

  test('unknown command', async () => {
    const { outcome, calls } = await run('trade-secrets', { member: ALPHA_DISCORD });
    assert.equal(outcome, 'unknown_command');
    assert.deepEqual(calls, [{ kind: 'reply', data: { flags: 64, content: 'Unknown command.' } }]);
  });
});

describe('the statements', () => {
  async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
    const from = statements.length;
    await work();
    return statements.slice(from);
  }

  test('two statements (the caller, the list) whatever the number of trades and items', async () => {
    const closed = await statementsOf(() => run('trade-history', { member: ALPHA_DISCORD }, 'closed'));
    const all = await statementsOf(() => run('trade-history', { member: ALPHA_DISCORD }, 'all'));
    const none = await statementsOf(() => run('my-trades', { member: DELTA_DISCORD }));
    assert.equal(closed.length, 2, 'closed: 2 trades');
    assert.equal(all.length, 2, 'all: 5 trades');
    assert.equal(none.length, 2, 'no trades');

    // Delta gets 12 trades of 10 items each: still the same two statements.
    const { db } = database;
    for (let n = 20; n < 32; n++) {
      await addTrade(n, '3', day(10), DELTA, [CHARLIE]);
      await db.insertInto('player').values(Array.from({ length: 10 }, (_, i) => ({ id: player(n * 100 + i), name: `P${n}-${i}`, league: '1' as const }))).execute();
      await db
        .insertInto('trade_item')
        .values(Array.from({ length: 10 }, (_, i) => ({ id: item(n * 100 + i), tradeId: trade(n), tradeItemType: '1' as const, tradeItemId: player(n * 100 + i), senderId: CHARLIE, recipientId: DELTA })))
        .execute();
    }
    const many = await statementsOf(() => run('my-trades', { member: DELTA_DISCORD }));
    assert.deepEqual(many, none);
  });
});

describe('a slow database', () => {
  /** Holds an exclusive lock on `trade` from another connection until release() is called. */
  async function lockTrades() {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE trade IN ACCESS EXCLUSIVE MODE');
    return {
      client,
      release: async () => {
        await client.query('COMMIT');
        await client.end();
      },
    };
  }

  test('past deferAfterMs the reply is deferred, then followed up with the same embed', async () => {
    const quick = await run('my-trades', { member: ALPHA_DISCORD });
    assert.equal(quick.calls.length, 1);
    const lock = await lockTrades();
    const responder = new RecordingResponder();
    const running = runCommand(interaction('my-trades', { member: ALPHA_DISCORD }), responder, deps({ deferAfterMs: 150 }));
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(responder.calls, [{ kind: 'defer' }], 'deferred while the query waits');
    await lock.release();
    assert.equal(await running, 'deferred');
    const first = quick.calls[0]!;
    assert.equal(first.kind, 'reply');
    assert.deepEqual(responder.calls, [{ kind: 'defer' }, { kind: 'followUp', data: first.kind === 'reply' ? first.data : undefined }]);
  });

  test('a failure after the defer follows up with an apology; the outcome is failed', async () => {
    const lock = await lockTrades();
    try {
      const responder = new RecordingResponder();
      const running = runCommand(interaction('my-trades', { member: ALPHA_DISCORD }), responder, deps({ deferAfterMs: 100 }));
      // Once deferred, cancel the list query that waits for the lock.
      for (let tries = 0; responder.calls.length === 0; tries++) {
        assert.ok(tries < 100, 'never deferred');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (let tries = 0; ; tries++) {
        const { rows } = await lock.client.query<{ cancelled: boolean }>(
          `SELECT pg_cancel_backend(pid) AS cancelled FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        if (rows.some((row) => row.cancelled)) break;
        assert.ok(tries < 100, 'the query never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(await running, 'failed');
      assert.deepEqual(responder.calls, [{ kind: 'defer' }, { kind: 'followUp', data: { flags: 64, content: APOLOGY } }]);
    } finally {
      await lock.release();
    }
  });

  test('a failure before the deadline replies with the apology', async () => {
    const broken = new Kysely<OwnerDB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url.replace(/\/[^/]*$/, '/tm_no_such_database') }) }) });
    try {
      const { outcome, calls } = await run('my-trades', { member: ALPHA_DISCORD }, undefined, { db: broken });
      assert.equal(outcome, 'failed');
      assert.deepEqual(calls, [{ kind: 'reply', data: { flags: 64, content: APOLOGY } }]);
    } finally {
      await broken.destroy();
    }
  });
});

describe('the seeded league', () => {
  test('the busiest linked owner: their trades (newest 5), the rest counted, in two statements', async () => {
    const seeded = await createTestDatabase();
    try {
      await seedDatabase(seeded.url);
      // Counted independently of the command: trades of the team, drafts only when it created them.
      const { rows } = await seeded.pool.query<{ discord: string; team: string; total: number }>(`
        SELECT u."discordUserId" AS discord, u."teamId" AS team,
               (SELECT count(*)::int FROM trade t
                 WHERE EXISTS (SELECT 1 FROM trade_participant p WHERE p."tradeId" = t.id AND p."teamId" = u."teamId")
                   AND (t.status <> '1' OR EXISTS (SELECT 1 FROM trade_participant p
                         WHERE p."tradeId" = t.id AND p."teamId" = u."teamId" AND p."participantType" = '1'))) AS total
          FROM "user" u
         WHERE u."discordUserId" IS NOT NULL AND u."teamId" IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM "user" o WHERE o."discordUserId" = u."discordUserId" AND o.id < u.id)
         ORDER BY total DESC, u.id LIMIT 1`);
      const busiest = rows[0]!;
      assert.ok(busiest.total >= 2, `the seeded league has an owner with trades (${busiest.total})`);
      const seen: string[] = [];
      const db = new Kysely<OwnerDB>({ dialect: new PostgresDialect({ pool: seeded.pool }), log: (event) => void seen.push(event.query.sql) });
      const responder = new RecordingResponder();
      const outcome = await runCommand(interaction('trade-history', { member: busiest.discord }, 'all'), responder, deps({ db }));
      assert.equal(outcome, 'replied');
      assert.equal(seen.length, 2);
      const [call] = responder.calls;
      assert.ok(call?.kind === 'reply');
      const embed = call.data.embeds![0]!;
      const entries = embed.description!.split('\n\n');
      assert.equal(entries.length, Math.min(busiest.total, 5));
      entries.forEach((entry, i) => {
        assert.match(entry, new RegExp(`^${i + 1}\\. (Draft|Requested|Pending|Accepted|Declined|Submitted) \\| <t:\\d+:R>\\n`));
        assert.match(entry, /\nYou get: /);
        assert.match(entry, new RegExp(`\\n\\[View trade\\]\\(${FRONT}/trades/[0-9a-f-]{36}/review\\)$`));
      });
      assert.equal(embed.footer?.text, busiest.total > 5 ? `and ${busiest.total - 5} more — view all at ${FRONT}/my-trades` : `View all trades at ${FRONT}/my-trades`);
    } finally {
      await seeded.drop();
    }
  });
});

describe('the metric', () => {
  test('worker.discord.commands counts every command by name and outcome', async () => {
    const counts = await commandCounts();
    assert.deepEqual(counts, {
      'my-trades/replied': 5,
      'my-trades/not_linked': 1,
      'my-trades/deferred': 1,
      'my-trades/failed': 2,
      'trade-history/replied': 9,
      'trade-history/no_team': 1,
      'unknown/unknown_command': 1,
    });
  });
});

import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, afterEach, before, describe, test } from 'node:test';
import type { APIInteractionResponseCallbackData } from 'discord-api-types/v10';
import { Kysely, PostgresDialect } from 'kysely';
import { pino } from 'pino';
import { createDiscordInteractionsHandler, discordInteractionsDefaults, type DiscordInteractionsOptions } from '../../src/http/discord-interactions.ts';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.ts';
import type { OwnerDB } from '../../src/db/owner-contract.ts';
import type { CommandInteraction, CommandResponder } from '../../src/jobs/discord/commands/command-responder.ts';
import { NOT_LINKED, runCommand } from '../../src/jobs/discord/commands/run-command.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const applicationId = '111111111111111111';

/** An Ed25519 key pair, and its public key as Discord shows it: the raw 32 bytes in hex. */
function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  assert.ok(x);
  return { privateKey, publicKeyHex: Buffer.from(x, 'base64url').toString('hex') };
}

const discordKeys = keyPair();
const otherKeys = keyPair();

let counter = 0;
/** A chat-input command interaction as Discord POSTs it; each with its own id and token. */
function commandInteraction(name = 'my-trades', overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    id: `90000000000000000${counter}`,
    application_id: applicationId,
    type: 2,
    token: `interaction-token-SECRET-${counter}-${'t'.repeat(40)}`,
    version: 1,
    guild_id: '222222222222222222',
    channel_id: '333333333333333333',
    member: { user: { id: '444444444444444444', username: 'casey' }, roles: [], permissions: '0' },
    data: { id: '555555555555555555', name, type: 1, options: [] },
    ...overrides,
  };
}

function signed(body: string, options: { key?: KeyObject; timestamp?: string } = {}) {
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const signature = sign(null, Buffer.from(timestamp + body), options.key ?? discordKeys.privateKey).toString('hex');
  return { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp };
}

async function post(url: string, body: string, headers: Record<string, string>, path = '/discord/interactions') {
  const started = Date.now();
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  return { status: response.status, text, json: (text ? JSON.parse(text) : undefined) as { type?: number; data?: Record<string, unknown>; error?: string }, elapsedMs: Date.now() - started };
}

async function postSigned(url: string, payload: unknown) {
  const body = JSON.stringify(payload);
  return post(url, body, signed(body));
}

type Dispatch = (interaction: CommandInteraction, responder: CommandResponder) => Promise<unknown>;

/** A server with the handler under test, recording every dispatch, every edit and every log line. */
async function harness(dispatch: Dispatch, extra: Partial<DiscordInteractionsOptions> = {}) {
  const dispatched: CommandInteraction[] = [];
  const edits: { token: string; data: APIInteractionResponseCallbackData }[] = [];
  const editWaiters: (() => void)[] = [];
  const logLines: string[] = [];
  const log = pino(
    { level: 'trace' },
    new Writable({
      write(chunk, _encoding, callback) {
        logLines.push(String(chunk));
        callback();
      },
    }),
  );
  const handler = createDiscordInteractionsHandler({
    publicKey: discordKeys.publicKeyHex,
    applicationId,
    editOriginal: async (token, data) => {
      edits.push({ token, data });
      editWaiters.splice(0).forEach((wake) => wake());
    },
    dispatch: async (interaction, responder) => {
      dispatched.push(interaction);
      return dispatch(interaction, responder);
    },
    log,
    ...extra,
  });
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, readiness: {}, routes: [handler] });
  running.push(server);
  return {
    url: server.url,
    dispatched,
    edits,
    logLines,
    /** Resolves once `count` edits have been recorded (or fails the test after 3 s). */
    edited: async (count: number) => {
      const deadline = Date.now() + 3000;
      while (edits.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} edits, got ${edits.length}`);
        await new Promise<void>((resolve) => {
          editWaiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

const running: RunningHttpServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

const never = () => new Promise<never>(() => {});
const answer: APIInteractionResponseCallbackData = { content: 'Your Active Trades', embeds: [{ title: 'Your Active Trades', description: '_No trades found._', color: 0x3498db }] };

/** A gate the test opens. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('POST /discord/interactions', () => {
  test('PING is answered with {type:1} and nothing is dispatched', async () => {
    const h = await harness(never);
    const response = await postSigned(h.url, { id: '1', application_id: applicationId, type: 1, token: 'ping-token', version: 1 });
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { type: 1 });
    assert.equal(h.dispatched.length, 0);
  });

  test('a command that replies: type 4 with its data, made ephemeral (flags 64)', async () => {
    const h = await harness(async (_interaction, responder) => responder.reply(answer));
    const interaction = commandInteraction('trade-history', { data: { id: '5', name: 'trade-history', type: 1, options: [{ name: 'status', type: 3, value: 'closed' }] } });
    const response = await postSigned(h.url, interaction);
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { type: 4, data: { ...answer, flags: 64 } });
    assert.equal(h.dispatched.length, 1);
    assert.deepEqual(h.dispatched[0], interaction);
    assert.deepEqual(h.edits, []);
    assert.ok(h.logLines.every((line) => !line.includes(interaction.token)), 'the interaction token is never logged');
  });

  test('a slow command defers (type 5 at once), then its follow-up edits the original response', async () => {
    const slow = gate();
    const h = await harness(async (_interaction, responder) => {
      await responder.defer();
      await slow.opened;
      await responder.followUp(answer);
    });
    const interaction = commandInteraction();
    const response = await postSigned(h.url, interaction);
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { type: 5, data: { flags: 64 } });
    assert.ok(response.elapsedMs < 1000, `deferred at once (${response.elapsedMs} ms)`);
    assert.deepEqual(h.edits, [], 'no edit before the command has its answer');
    slow.open();
    await h.edited(1);
    assert.deepEqual(h.edits, [{ token: interaction.token, data: answer }]);
  });

  test('the safety net: a command that neither replies nor defers is deferred after 2.5 s', async () => {
    const h = await harness(never);
    assert.equal(discordInteractionsDefaults.netMs, 2500);
    const response = await postSigned(h.url, commandInteraction());
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { type: 5, data: { flags: 64 } });
    assert.ok(response.elapsedMs >= 2400 && response.elapsedMs < 2950, `answered by the net at ~2.5 s, within Discord's 3 s (${response.elapsedMs} ms)`);
    assert.equal(h.dispatched.length, 1);
  });

  test('after the net has deferred, a late reply becomes an edit of the original, and a late defer is harmless', async () => {
    const late = gate();
    const h = await harness(
      async (_interaction, responder) => {
        await late.opened;
        await responder.defer();
        await responder.reply(answer);
      },
      { netMs: 150 },
    );
    const interaction = commandInteraction();
    const response = await postSigned(h.url, interaction);
    assert.deepEqual(response.json, { type: 5, data: { flags: 64 } });
    assert.ok(response.elapsedMs >= 140 && response.elapsedMs < 1500, `at the net's 150 ms, not before, not at the default 2.5 s (${response.elapsedMs} ms)`);
    late.open();
    await h.edited(1);
    assert.deepEqual(h.edits, [{ token: interaction.token, data: answer }]);
    assert.ok(h.logLines.some((line) => line.includes('deferring it')), 'the net is logged');
    assert.ok(h.logLines.every((line) => !line.includes(interaction.token)), 'the interaction token is never logged');
  });

  test('a command that throws before answering gets an ephemeral apology, not a timeout', async () => {
    const h = await harness(async () => {
      throw new Error('database down');
    });
    const interaction = commandInteraction();
    const response = await postSigned(h.url, interaction);
    assert.equal(response.status, 200);
    assert.equal(response.json.type, 4);
    assert.equal(response.json.data?.['flags'], 64);
    assert.match(String(response.json.data?.['content']), /went wrong/);
    assert.ok(h.logLines.some((line) => line.includes('database down')));
    assert.ok(h.logLines.every((line) => !line.includes(interaction.token)), 'the interaction token is never logged');
  });

  describe('refused with 401, nothing dispatched', () => {
    const cases: [string, (body: string) => Record<string, string>][] = [
      ['no signature headers', () => ({})],
      ['no signature', (body) => ({ 'x-signature-timestamp': signed(body)['x-signature-timestamp'] })],
      ['no timestamp', (body) => ({ 'x-signature-ed25519': signed(body)['x-signature-ed25519'] })],
      ['a signature that is not hex', (body) => ({ ...signed(body), 'x-signature-ed25519': 'not-a-signature' })],
      ['a random signature', (body) => ({ ...signed(body), 'x-signature-ed25519': 'ab'.repeat(64) })],
      ['a signature from another key', (body) => signed(body, { key: otherKeys.privateKey })],
      ['a tampered body (signed over another body)', (body) => signed(body.replace('my-trades', 'trade-history'))],
      ['a timestamp changed after signing', (body) => ({ ...signed(body), 'x-signature-timestamp': String(Math.floor(Date.now() / 1000) + 1) })],
      ['a stale timestamp (signed 6 minutes ago)', (body) => signed(body, { timestamp: String(Math.floor(Date.now() / 1000) - 360) })],
      ['a timestamp 6 minutes in the future', (body) => signed(body, { timestamp: String(Math.floor(Date.now() / 1000) + 360) })],
    ];
    for (const [name, headers] of cases) {
      test(name, async () => {
        const h = await harness(async (_interaction, responder) => responder.reply(answer));
        const body = JSON.stringify(commandInteraction());
        const response = await post(h.url, body, headers(body));
        assert.equal(response.status, 401);
        assert.match(String(response.json.error), /invalid request signature|timestamp/);
        assert.equal(h.dispatched.length, 0);
      });
    }

    test('the same signed command sent again (a replay within the window)', async () => {
      const h = await harness(async (_interaction, responder) => responder.reply(answer));
      const body = JSON.stringify(commandInteraction());
      const headers = signed(body);
      assert.equal((await post(h.url, body, headers)).status, 200);
      const replayed = await post(h.url, body, headers);
      assert.equal(replayed.status, 401);
      assert.equal(replayed.json.error, 'interaction already received');
      assert.equal(h.dispatched.length, 1);
    });

    test('a correctly signed fresh request still passes (the cases above fail for their flaw alone)', async () => {
      const h = await harness(async (_interaction, responder) => responder.reply(answer));
      const recent = String(Math.floor(Date.now() / 1000) - 240);
      const body = JSON.stringify(commandInteraction());
      const response = await post(h.url, body, signed(body, { timestamp: recent }));
      assert.equal(response.status, 200);
      assert.equal(h.dispatched.length, 1);
    });
  });

  test('a body over the limit is 413, declared or streamed, and nothing is dispatched', async () => {
    const h = await harness(async (_interaction, responder) => responder.reply(answer), { maxBodyBytes: 1024 });
    const body = JSON.stringify(commandInteraction('my-trades', { padding: 'x'.repeat(2048) }));
    const response = await post(h.url, body, signed(body));
    assert.equal(response.status, 413);
    // Streamed without a Content-Length: the limit holds on the bytes read.
    const streamed = await fetch(`${h.url}/discord/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signed(body) },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(body));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 413);
    assert.equal(h.dispatched.length, 0);
    // Just under the limit passes.
    const small = JSON.stringify(commandInteraction());
    assert.ok(Buffer.byteLength(small) < 1024);
    assert.equal((await post(h.url, small, signed(small))).status, 200);
  });

  test('another method on the path is 405; other paths are not the handler\'s', async () => {
    const h = await harness(never);
    const get = await fetch(`${h.url}/discord/interactions`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    const body = JSON.stringify(commandInteraction());
    const elsewhere = await post(h.url, body, signed(body), '/discord/other');
    assert.equal(elsewhere.status, 404);
    assert.equal(h.dispatched.length, 0);
  });

  describe('signed, but not a command interaction: 400, nothing dispatched', () => {
    const bodies: [string, string][] = [
      ['not JSON', '{"type": 2,'],
      ['JSON that is not an interaction', JSON.stringify({ hello: 'world' })],
      ['an array', JSON.stringify([1, 2])],
      ['an interaction for another application', JSON.stringify(commandInteraction('my-trades', { application_id: '999999999999999999' }))],
      ['a component interaction (type 3)', JSON.stringify(commandInteraction('my-trades', { type: 3 }))],
      ['autocomplete (type 4)', JSON.stringify(commandInteraction('my-trades', { type: 4 }))],
      ['a user command (data.type 2)', JSON.stringify(commandInteraction('my-trades', { data: { id: '5', name: 'x', type: 2 } }))],
      ['a command without a token', JSON.stringify(commandInteraction('my-trades', { token: undefined }))],
    ];
    for (const [name, body] of bodies) {
      test(name, async () => {
        const h = await harness(async (_interaction, responder) => responder.reply(answer));
        const response = await post(h.url, body, signed(body));
        assert.equal(response.status, 400);
        assert.equal(h.dispatched.length, 0);
      });
    }
  });

  test('the public key must be 64 hex digits', () => {
    const options = { applicationId, editOriginal: async () => {}, dispatch: never };
    assert.throws(() => createDiscordInteractionsHandler({ ...options, publicKey: 'abc' }), /64 hex digits/);
    assert.doesNotThrow(() => createDiscordInteractionsHandler({ ...options, publicKey: discordKeys.publicKeyHex }));
  });
});

/** End to end: the real runCommand behind the HTTP transport, against PostgreSQL with a small league. */
describe('POST /discord/interactions with the real runCommand', () => {
  const ALPHA = '0000000a-0000-4000-8000-000000000001';
  const BRAVO = '0000000a-0000-4000-8000-000000000002';
  const ALPHA_DISCORD = '100000000000000001';
  const STRANGER_DISCORD = '100000000000000009';
  let database: TestDatabase;
  let owner: Kysely<OwnerDB>;

  before(async () => {
    database = await createTestDatabase();
    const { db } = database;
    await db.insertInto('team').values([{ id: ALPHA, name: 'Alpha' }, { id: BRAVO, name: 'Bravo' }]).execute();
    await db.insertInto('user').values({ id: '0000000b-0000-4000-8000-000000000001', email: 'al@example.com', displayName: 'Al', csvName: 'ALF', discordUserId: ALPHA_DISCORD, teamId: ALPHA }).execute();
    const trade = '0000000c-0000-4000-8000-000000000001';
    await db.insertInto('trade').values({ id: trade, status: '3', dateCreated: new Date(Date.UTC(2026, 3, 1, 12)) }).execute();
    await db
      .insertInto('trade_participant')
      .values([
        { id: '0000000d-0000-4000-8000-000000000001', tradeId: trade, teamId: ALPHA, participantType: '1' as const },
        { id: '0000000d-0000-4000-8000-000000000002', tradeId: trade, teamId: BRAVO, participantType: '2' as const },
      ])
      .execute();
    owner = new Kysely<OwnerDB>({ dialect: new PostgresDialect({ pool: database.pool }) });
  });
  after(async () => {
    await database?.drop();
  });

  const asCaller = (name: string, discordUserId: string) =>
    commandInteraction(name, { member: { user: { id: discordUserId, username: 'caller', discriminator: '0', global_name: null, avatar: null }, roles: [], joined_at: '2026-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0 } });

  test('/my-trades from a linked member: the list embed, ephemeral, in the HTTP answer', async () => {
    const h = await harness((interaction, responder) => runCommand(interaction, responder, { db: owner, frontendOrigin: 'https://trades.example.com', deferAfterMs: 2000, log: pino({ level: 'silent' }) }));
    const response = await postSigned(h.url, asCaller('my-trades', ALPHA_DISCORD));
    assert.equal(response.status, 200);
    assert.equal(response.json.type, 4);
    assert.equal(response.json.data?.['flags'], 64);
    const [embed] = response.json.data?.['embeds'] as { title: string; description: string }[];
    assert.equal(embed?.title, 'Your Active Trades');
    assert.match(embed?.description ?? '', /^1\. Pending \| <t:\d+:R>/);
    assert.match(embed?.description ?? '', /\/trades\/0000000c-0000-4000-8000-000000000001\/review/);
    assert.deepEqual(h.edits, []);
  });

  test('an unlinked caller gets the not-linked message', async () => {
    const h = await harness((interaction, responder) => runCommand(interaction, responder, { db: owner, frontendOrigin: '', deferAfterMs: 2000, log: pino({ level: 'silent' }) }));
    const response = await postSigned(h.url, asCaller('trade-history', STRANGER_DISCORD));
    assert.deepEqual(response.json, { type: 4, data: { content: NOT_LINKED, flags: 64 } });
  });

  test('a slow database: runCommand defers (type 5 over HTTP), then its follow-up edits the original with the list', async () => {
    // A Kysely whose pool arrives 400 ms late: every query of this instance waits for it.
    const slow = new Kysely<OwnerDB>({ dialect: new PostgresDialect({ pool: () => new Promise((resolve) => setTimeout(() => resolve(database.pool), 400)) }) });
    const h = await harness((interaction, responder) => runCommand(interaction, responder, { db: slow, frontendOrigin: '', deferAfterMs: 50, log: pino({ level: 'silent' }) }));
    const interaction = asCaller('my-trades', ALPHA_DISCORD);
    const response = await postSigned(h.url, interaction);
    assert.deepEqual(response.json, { type: 5, data: { flags: 64 } });
    assert.ok(response.elapsedMs < 400, `deferred before the database answered (${response.elapsedMs} ms)`);
    await h.edited(1);
    assert.equal(h.edits[0]?.token, interaction.token);
    const embeds = h.edits[0]?.data.embeds;
    assert.equal(embeds?.[0]?.title, 'Your Active Trades');
    assert.match(embeds?.[0]?.description ?? '', /^1\. Pending/);
  });
});

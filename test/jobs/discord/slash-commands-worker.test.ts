/**
 * Both slash-command transports end to end through a whole worker (startWorker): the Gateway (the
 * real @discordjs/ws against the fake Gateway, replies over the fake Discord REST) and HTTP
 * interactions (a signed POST to the worker's own port). The command is the real one, reading a
 * seeded league: the caller's active trades come back, ephemeral.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { pino } from 'pino';
import { startFakeDiscord, type FakeDiscord } from '../../../dev/jobs/discord/fake-discord.ts';
import { startFakeGateway, type FakeGateway } from '../../../dev/jobs/discord/fake-gateway.ts';
import { seedDatabase } from '../../../dev/seed/seed-database.ts';
import { startWorker, type RunningWorker } from '../../../src/worker.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { testConfig } from '../../support/test-config.ts';
import { commandInteraction, GATEWAY_TEST_APP, GATEWAY_TEST_GUILD, waitFor } from './support/gateway-fixtures.ts';

const CALLER = '1400000000000000077';

let database: TestDatabase;
let fake: FakeDiscord;

/** The seeded league's first team's owner plays the caller: linked by Discord id. */
async function linkCaller(): Promise<void> {
  const owner = await database.db
    .selectFrom('user')
    .innerJoin('trade_participant', 'trade_participant.teamId', 'user.teamId')
    .select('user.id')
    .orderBy('user.id')
    .executeTakeFirstOrThrow();
  await database.db.updateTable('user').set({ discordUserId: CALLER }).where('id', '=', owner.id).execute();
}

function env(overrides: Record<string, string>): Record<string, string> {
  return {
    HTTP_PORT: '0',
    DISCORD_BOT_TOKEN: fake.token,
    DISCORD_API_BASE_URL: fake.apiBaseUrl,
    DISCORD_APPLICATION_ID: GATEWAY_TEST_APP,
    DISCORD_GUILD_ID: GATEWAY_TEST_GUILD,
    DISCORD_LEADER_RETRY_MS: '500',
    REPL_ENABLED: 'false',
    ...overrides,
  };
}

function replyEmbed(body: unknown): { title?: string; description?: string } | undefined {
  const data = (body as { data?: { embeds?: { title?: string; description?: string }[]; flags?: number } }).data;
  return data?.embeds?.[0];
}

before(async () => {
  database = await createTestDatabase();
  await seedDatabase(database.url, { season: 2026 });
  await linkCaller();
  fake = await startFakeDiscord();
});
after(async () => {
  await fake?.close();
  await database?.drop();
});

describe('over the Gateway (default)', () => {
  let gateway: FakeGateway;
  let worker: RunningWorker;
  before(async () => {
    gateway = await startFakeGateway({ token: fake.token, applicationId: GATEWAY_TEST_APP });
    fake.setGatewayUrl(gateway.url);
    worker = await startWorker({ config: testConfig(database.url, env({})), log: pino({ level: 'silent' }) });
  });
  after(async () => {
    await worker?.stop();
    await gateway?.close();
  });

  test('the worker leads, identifies with the Guilds intent only, and answers /my-trades through REST, ephemeral', async () => {
    await waitFor(() => gateway.sessions() === 1, 10_000, 'the worker to open a Gateway session');
    assert.equal(gateway.identifies.length, 1);
    assert.equal(gateway.identifies[0]?.intents, 1, 'Guilds only');
    const state = worker.discordCommands.state();
    assert.equal(state.transport, 'gateway');
    assert.ok(state.transport === 'gateway' && state.leader && state.connected, JSON.stringify(state));
    const health = (await (await fetch(`${worker.http.url}/health`)).json()) as { discordCommands?: { leader?: boolean } };
    assert.equal(health.discordCommands?.leader, true, '/health shows the Gateway state');

    const interaction = commandInteraction('my-trades', CALLER);
    fake.expectInteraction(interaction.id, interaction.token);
    gateway.dispatchInteraction(interaction);
    await waitFor(() => fake.interactionAnswers().some((answer) => answer.interactionToken === interaction.token), 5000, 'the reply');
    const [answer] = fake.interactionAnswers().filter((each) => each.interactionToken === interaction.token);
    assert.equal(answer?.kind, 'callback');
    assert.ok((answer?.afterMs ?? Infinity) < 3000, `within Discord's window (${answer?.afterMs} ms)`);
    const body = answer?.body as { type?: number; data?: { flags?: number } };
    assert.equal(body.type, 4);
    assert.equal(body.data?.flags, 64);
    assert.equal(replyEmbed(body)?.title, 'Your Active Trades');
    assert.equal(fake.guildCommands(GATEWAY_TEST_APP, GATEWAY_TEST_GUILD).length, 0, 'connecting does not register commands');
  });
});

describe('over HTTP interactions (DISCORD_PUBLIC_KEY set)', () => {
  let worker: RunningWorker;
  const keys = generateKeyPairSync('ed25519');
  const publicKeyHex = Buffer.from(keys.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString('hex');
  before(async () => {
    fake.reset();
    fake.setGatewayUrl('ws://127.0.0.1:9/never');
    worker = await startWorker({ config: testConfig(database.url, env({ DISCORD_PUBLIC_KEY: publicKeyHex })), log: pino({ level: 'silent' }) });
  });
  after(async () => {
    await worker?.stop();
  });

  const post = (body: string, signature?: string) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signed = signature ?? sign(null, Buffer.from(timestamp + body), keys.privateKey).toString('hex');
    return fetch(`${worker.http.url}/discord/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature-ed25519': signed, 'x-signature-timestamp': timestamp },
      body,
    });
  };

  test('no Gateway is opened; a signed PING is answered and a signed /trade-history is answered by the same command', async () => {
    assert.deepEqual(worker.discordCommands.state(), { transport: 'http', path: '/discord/interactions' });
    assert.equal(fake.requests.filter((request) => request.path.endsWith('/gateway/bot')).length, 0, 'the Gateway was never asked for');

    const ping = await post(JSON.stringify({ id: '1', application_id: GATEWAY_TEST_APP, type: 1, token: 't', version: 1 }));
    assert.equal(ping.status, 200);
    assert.deepEqual(await ping.json(), { type: 1 });

    const interaction = commandInteraction('trade-history', CALLER);
    const response = await post(JSON.stringify(interaction));
    assert.equal(response.status, 200);
    const body = (await response.json()) as { type?: number; data?: { flags?: number } };
    assert.equal(body.type, 4);
    assert.equal(body.data?.flags, 64);
    assert.equal(replyEmbed(body)?.title, 'Your Last 5 Trades');
    assert.match(replyEmbed(body)?.description ?? '', /^1\. \w+ \| <t:\d+:R>/);
  });

  test('a bad signature is 401 and runs nothing', async () => {
    const interaction = commandInteraction('my-trades', CALLER);
    const response = await post(JSON.stringify(interaction), '00'.repeat(64));
    assert.equal(response.status, 401);
  });
});

/**
 * The Gateway transport (issue 11): the real @discordjs/ws against the Gateway stand-in, answers
 * through the fake Discord REST API.
 */
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { startFakeDiscord, type FakeDiscord } from '../../../dev/jobs/discord/fake-discord.ts';
import { startFakeGateway, type FakeGateway } from '../../../dev/jobs/discord/fake-gateway.ts';
import { createDiscordClient, type DiscordClient } from '../../../src/jobs/discord/discord-client.ts';
import { startGatewayCommands, type CommandDispatch, type GatewayCommands } from '../../../src/jobs/discord/gateway/gateway-connection.ts';
import type { CommandInteraction } from '../../../src/jobs/discord/commands/command-responder.ts';
import { waitFor, commandInteraction } from './support/gateway-fixtures.ts';
import { NOT_LINKED, runCommand } from '../../../src/jobs/discord/commands/run-command.ts';
import type { OwnerDb } from '../../../src/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';

const log = pino({ level: 'silent' });

let fake: FakeDiscord;
let client: DiscordClient;
let gateway: FakeGateway;
let connection: GatewayCommands | undefined;
let database: TestDatabase | undefined;
const received: CommandInteraction[] = [];

/** Replies `pong <command>`; `slow-*` commands defer, then follow up. */
const dispatch: CommandDispatch = async (interaction, responder) => {
  received.push(interaction);
  if (interaction.data.name.startsWith('slow')) {
    await responder.defer();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await responder.followUp({ content: `late ${interaction.data.name}` });
    return;
  }
  await responder.reply({ content: `pong ${interaction.data.name}` });
};

before(async () => {
  fake = await startFakeDiscord();
  client = createDiscordClient({ botToken: fake.token, apiBaseUrl: fake.apiBaseUrl, timeoutMs: 2000 }, { retries: 0 });
});
beforeEach(async () => {
  fake.reset();
  received.length = 0;
  gateway = await startFakeGateway({ token: fake.token, heartbeatIntervalMs: 1000 });
  fake.setGatewayUrl(gateway.url);
});
afterEach(async () => {
  await connection?.stop();
  connection = undefined;
  await gateway.close();
});
after(async () => {
  client?.close();
  await fake?.close();
  await database?.drop();
});

const connect = async (run: CommandDispatch = dispatch): Promise<GatewayCommands> => {
  connection = startGatewayCommands({ token: fake.token, client, dispatch: run, log });
  await waitFor(() => connection?.state().connected === true, 5000, 'the Gateway session is ready');
  return connection;
};

test('identifies with the token and the Guilds intent only, over JSON without compression; heartbeats are acknowledged; no command is registered', async () => {
  const state = (await connect()).state();
  assert.deepEqual({ connected: state.connected, sessions: state.sessions, reconnects: state.reconnects }, { connected: true, sessions: 1, reconnects: 0 });
  assert.equal(gateway.identifies.length, 1);
  assert.equal(gateway.identifies[0]?.intents, 1);
  assert.equal(gateway.identifies[0]?.token, fake.token);
  assert.deepEqual(gateway.queries, [{ v: '10', encoding: 'json' }]);
  assert.equal(gateway.connections(), 1);
  // The Gateway's URL came from GET /gateway/bot, with the bot token.
  const gatewayBot = fake.requests.filter((request) => request.path === '/api/v10/gateway/bot');
  assert.ok(gatewayBot.length >= 1);
  assert.equal(gatewayBot[0]?.headers.authorization, `Bot ${fake.token}`);
  assert.deepEqual(fake.requests.filter((request) => request.method !== 'GET'), [], 'nothing but GET /gateway/bot: no command registration on connect');
  await waitFor(() => gateway.heartbeats() >= 2, 4000, 'two heartbeats');
  // Two heartbeats mean the first was acknowledged (an unanswered one makes the library reconnect).
  assert.equal(connection?.state().reconnects, 0);
  assert.equal(gateway.identifies.length, 1);
});

test('a dispatched command is answered through REST within the window, ephemeral; a deferred one is followed up', async () => {
  await connect();
  const quick = commandInteraction('my-trades');
  fake.expectInteraction(quick.id, quick.token);
  gateway.dispatchInteraction(quick);
  await waitFor(() => fake.interactionAnswers().length === 1, 3000, 'the reply');
  const [reply] = fake.interactionAnswers();
  assert.equal(reply?.kind, 'callback');
  assert.equal(reply?.interactionId, quick.id);
  assert.deepEqual(reply?.body, { type: 4, data: { content: 'pong my-trades', flags: 64 } });
  assert.ok((reply?.afterMs ?? Infinity) < 3000, `answered after ${reply?.afterMs} ms`);
  assert.equal(received[0]?.data.name, 'my-trades');

  const slow = commandInteraction('slow-history');
  fake.expectInteraction(slow.id, slow.token);
  gateway.dispatchInteraction(slow);
  await waitFor(() => fake.interactionAnswers().length === 3, 3000, 'the deferral and the follow-up');
  const [, deferred, followUp] = fake.interactionAnswers();
  assert.deepEqual(deferred?.body, { type: 5, data: { flags: 64 } });
  assert.equal(followUp?.kind, 'edit_original');
  assert.deepEqual(followUp?.body, { content: 'late slow-history' });
  const edit = fake.requests.find((request) => request.method === 'PATCH');
  assert.equal(decodeURIComponent(edit?.path ?? ''), `/api/v10/webhooks/${slow.application_id}/${slow.token}/messages/@original`);
  assert.equal(edit?.headers.authorization, undefined, 'the interaction token is the auth, not the bot token');

  // A component click (type 3) or an autocomplete is no slash command: not dispatched.
  gateway.dispatchInteraction({ ...commandInteraction('my-trades'), type: 3 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(received.length, 2);
});

test('the server closes the socket with a resumable code (4000): the library resumes the session; the reconnect is counted and commands still arrive', async () => {
  await connect();
  const sessionId = gateway.identifies[0]?.sessionId;
  gateway.closeAll(4000);
  await waitFor(() => gateway.resumes.length === 1 && connection?.state().connected === true, 8000, 'the resume');
  assert.deepEqual(
    gateway.resumes.map((resume) => [resume.sessionId, resume.accepted]),
    [[sessionId, true]],
  );
  assert.ok((gateway.resumes[0]?.seq ?? 0) >= 1, 'the resume carries the last sequence seen');
  const state = connection?.state();
  assert.deepEqual({ sessions: state?.sessions, reconnects: state?.reconnects, resumes: state?.resumes, lastCloseCode: state?.lastCloseCode }, {
    sessions: 1,
    reconnects: 1,
    resumes: 1,
    lastCloseCode: 4000,
  });
  assert.equal(gateway.identifies.length, 1, 'resumed, not identified again');

  const after = commandInteraction('trade-history');
  fake.expectInteraction(after.id, after.token);
  gateway.dispatchInteraction(after);
  await waitFor(() => fake.interactionAnswers().length === 1, 3000, 'the reply after the resume');
  assert.deepEqual(fake.interactionAnswers()[0]?.body, { type: 4, data: { content: 'pong trade-history', flags: 64 } });
});

test('op 7 RECONNECT: the library reconnects and resumes the session; the reconnect is counted', async () => {
  await connect();
  gateway.requestReconnect();
  await waitFor(() => gateway.resumes.length === 1 && connection?.state().connected === true, 8000, 'the resume after RECONNECT');
  assert.equal(connection?.state().reconnects, 1);
  assert.equal(gateway.identifies.length, 1);
});

test('stop closes the session with 1000 and leaves no connection', async () => {
  await connect();
  assert.equal(gateway.connections(), 1);
  await connection?.stop();
  await waitFor(() => gateway.connections() === 0, 3000, 'the socket closed');
  assert.deepEqual(gateway.closeCodes, [1000], 'a normal close: Discord ends the session, the next leader identifies anew');
  assert.equal(connection?.state().connected, false);
});

test('the real runCommand over the Gateway: a caller without a linked account gets the ephemeral not-linked answer through REST', async () => {
  database = await createTestDatabase();
  const deps = { db: database.db as unknown as OwnerDb, frontendOrigin: '', deferAfterMs: 2000, log };
  const outcomes: string[] = [];
  await connect(async (interaction, responder) => outcomes.push(await runCommand(interaction, responder, deps)));
  const interaction = commandInteraction('my-trades', '1400000000000000999');
  fake.expectInteraction(interaction.id, interaction.token);
  gateway.dispatchInteraction(interaction);
  await waitFor(() => fake.interactionAnswers().length === 1 && outcomes.length === 1, 3000, 'the answer');
  assert.deepEqual(outcomes, ['not_linked']);
  assert.deepEqual(fake.interactionAnswers()[0]?.body, { type: 4, data: { content: NOT_LINKED, flags: 64 } });
});

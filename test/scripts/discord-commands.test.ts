/**
 * npm run discord:commands against the fake Discord: registers both commands, then finds nothing to
 * change, reports a changed description and a stray command, keeps --dry-run read-only, and refuses
 * to run without its configuration in one clear line.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeDiscord, type FakeDiscord } from '../../dev/jobs/discord/fake-discord.ts';
import { commandDefinitions } from '../../src/jobs/discord/commands/definitions.ts';
import { runNodeScript } from '../support/spawn-node.ts';

const SCRIPT = 'scripts/discord-commands.ts';
const APPLICATION = '800000000000000001';
const GUILD = '800000000000000002';

let fake: FakeDiscord;
let env: Record<string, string>;

before(async () => {
  fake = await startFakeDiscord();
  env = { DISCORD_BOT_TOKEN: fake.token, DISCORD_APPLICATION_ID: APPLICATION, DISCORD_GUILD_ID: GUILD, DISCORD_API_BASE_URL: fake.apiBaseUrl, DISCORD_TIMEOUT_MS: '5000' };
});

after(async () => {
  await fake?.close();
});

/** Registers `commands` directly, as someone else (or an older definition) left them. */
async function putDirectly(commands: readonly object[]): Promise<void> {
  const response = await fetch(`${fake.apiBaseUrl}/v10/applications/${APPLICATION}/guilds/${GUILD}/commands`, {
    method: 'PUT',
    headers: { authorization: `Bot ${fake.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(commands),
  });
  assert.equal(response.status, 200);
}

const names = () => fake.guildCommands(APPLICATION, GUILD).map((command) => [command.name, command.description]);
const puts = () => fake.requests.filter((request) => request.method === 'PUT').length;

test('the first run adds both commands', async () => {
  const result = await runNodeScript(SCRIPT, [], env);
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `my-trades: added\ntrade-history: added\nregistered 2 commands in guild ${GUILD} (2 changed)\n`);
  assert.deepEqual(names(), [
    ['my-trades', 'Your requested, pending and accepted trades'],
    ['trade-history', 'Your last 5 trades (see the web app for more)'],
  ]);
  const [, history] = fake.guildCommands(APPLICATION, GUILD);
  assert.deepEqual(history?.options, JSON.parse(JSON.stringify(commandDefinitions[1])).options);
});

test('the second run finds both unchanged', async () => {
  const result = await runNodeScript(SCRIPT, [], env);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `my-trades: unchanged\ntrade-history: unchanged\nregistered 2 commands in guild ${GUILD} (0 changed)\n`);
});

test('a changed description and a stray command are reported; --dry-run writes nothing', async () => {
  // As the previous worker registered them, plus a command nobody defines any more.
  const old = JSON.parse(JSON.stringify(commandDefinitions)) as Record<string, unknown>[];
  old[0]!.description = 'List your pending and active trades';
  await putDirectly([...old, { name: 'trade-secrets', description: 'Gone', type: 1 }]);
  const putsBefore = puts();

  const dry = await runNodeScript(SCRIPT, ['--dry-run'], env);
  assert.equal(dry.code, 0);
  assert.equal(
    dry.stdout,
    `my-trades: changed (description)\ntrade-history: unchanged\ntrade-secrets: removed\ndry run: nothing registered (2 to change) in guild ${GUILD}\n`,
  );
  assert.equal(puts(), putsBefore, 'the dry run did not PUT');
  assert.equal(names()[0]?.[1], 'List your pending and active trades');

  const real = await runNodeScript(SCRIPT, [], env);
  assert.equal(real.code, 0);
  assert.equal(real.stdout, `my-trades: changed (description)\ntrade-history: unchanged\ntrade-secrets: removed\nregistered 2 commands in guild ${GUILD} (2 changed)\n`);
  assert.deepEqual(names(), [
    ['my-trades', 'Your requested, pending and accepted trades'],
    ['trade-history', 'Your last 5 trades (see the web app for more)'],
  ]);
});

test('changed options are named as such', async () => {
  const old = JSON.parse(JSON.stringify(commandDefinitions)) as { options?: { choices?: unknown[] }[] }[];
  old[1]!.options![0]!.choices = old[1]!.options![0]!.choices!.slice(0, 2);
  await putDirectly(old);
  const result = await runNodeScript(SCRIPT, [], env);
  assert.equal(result.stdout, `my-trades: unchanged\ntrade-history: changed (options)\nregistered 2 commands in guild ${GUILD} (1 changed)\n`);
});

test('missing configuration: one line naming what is missing, exit 1, nothing sent', async () => {
  const requestsBefore = fake.requests.length;
  const result = await runNodeScript(SCRIPT, [], { DISCORD_API_BASE_URL: fake.apiBaseUrl, DISCORD_APPLICATION_ID: APPLICATION });
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr, 'discord:commands needs DISCORD_BOT_TOKEN, DISCORD_GUILD_ID (not set)\n');
  assert.equal(fake.requests.length, requestsBefore);
});

test('a bad value: the config error, exit 1', async () => {
  const result = await runNodeScript(SCRIPT, [], { ...env, DISCORD_GUILD_ID: 'not-a-snowflake' });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^ConfigError: DISCORD_GUILD_ID .*\n$/);
});

test('Discord refusing the token: a clear error, exit 1', async () => {
  const result = await runNodeScript(SCRIPT, [], { ...env, DISCORD_BOT_TOKEN: 'wrong-token' });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^could not register the commands: .+\n$/);
});

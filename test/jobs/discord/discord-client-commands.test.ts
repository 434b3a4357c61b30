/** The Discord client's command and interaction routes against the fake Discord. */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { InteractionResponseType, MessageFlags } from 'discord-api-types/v10';
import { startFakeDiscord, type FakeDiscord } from '../../../dev/jobs/discord/fake-discord.ts';
import { createDiscordClient, type DiscordClient } from '../../../src/jobs/discord/discord-client.ts';
import { PermanentJobError } from '../../../src/jobs/outcomes.ts';

const APP = '1300000000000000001';
const GUILD = '1300000000000000002';
const INTERACTION = '1300000000000000003';
const INTERACTION_TOKEN = 'aW50ZXJhY3Rpb246c2VjcmV0LXRva2Vu';

let fake: FakeDiscord;
let client: DiscordClient;

before(async () => {
  fake = await startFakeDiscord();
  client = createDiscordClient({ botToken: fake.token, apiBaseUrl: fake.apiBaseUrl, timeoutMs: 2000 }, { retries: 0 });
});
beforeEach(() => fake.reset());
after(async () => {
  client?.close();
  await fake?.close();
});

test('bulk overwrite of guild commands, then read back; a second overwrite keeps the ids of commands it keeps', async () => {
  const first = await client.putGuildCommands(APP, GUILD, [{ name: 'my-trades', description: 'List your trades' }]);
  assert.deepEqual(first.map((command) => [command.name, command.guild_id, command.application_id]), [['my-trades', GUILD, APP]]);
  const second = await client.putGuildCommands(APP, GUILD, [
    { name: 'my-trades', description: 'List your active trades' },
    { name: 'trade-history', description: 'Your last 5 trades' },
  ]);
  assert.equal(second[0]?.id, first[0]?.id);
  assert.deepEqual((await client.getGuildCommands(APP, GUILD)).map((command) => command.name), ['my-trades', 'trade-history']);
  const put = fake.requests.find((request) => request.method === 'PUT');
  assert.equal(put?.headers.authorization, `Bot ${fake.token}`);
});

test('the Gateway URL comes from GET /gateway/bot', async () => {
  fake.setGatewayUrl('ws://127.0.0.1:1/gateway');
  const info = await client.getGatewayBot();
  assert.equal(info.url, 'ws://127.0.0.1:1/gateway');
  assert.equal(info.shards, 1);
});

test('an interaction is answered once without the bot token, then its original reply edited', async () => {
  fake.expectInteraction(INTERACTION, INTERACTION_TOKEN);
  await client.createInteractionResponse(INTERACTION, INTERACTION_TOKEN, { type: InteractionResponseType.DeferredChannelMessageWithSource, data: { flags: MessageFlags.Ephemeral } });
  await client.editOriginalResponse(APP, INTERACTION_TOKEN, { content: 'done' });
  assert.deepEqual(
    fake.interactionAnswers().map((answer) => [answer.kind, answer.body]),
    [
      ['callback', { type: 5, data: { flags: 64 } }],
      ['edit_original', { content: 'done' }],
    ],
  );
  const callback = fake.requests.find((request) => request.path.endsWith('/callback'));
  assert.equal(callback?.headers.authorization, undefined, 'the interaction token authorises it, not the bot token');

  const again = await client.createInteractionResponse(INTERACTION, INTERACTION_TOKEN, { type: InteractionResponseType.ChannelMessageWithSource, data: { content: 'x' } }).then(
    () => assert.fail('a second callback was accepted'),
    (error: unknown) => error,
  );
  assert.ok(again instanceof PermanentJobError && again.code === 'DISCORD_REJECTED', String(again));
  assert.ok(!again.message.includes(INTERACTION_TOKEN), `the interaction token stays out of messages: ${again.message}`);
  assert.match(again.message, /POST \/interactions\/\d+\/:token\/callback/);
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDiscordClient, discordNonce, type DiscordClient } from '../../src/jobs/discord/discord-client.ts';
import { PermanentJobError } from '../../src/jobs/outcomes.ts';
import {
  discordStandIn,
  STAND_IN_CHANNEL_PRODUCTION,
  STAND_IN_CHANNEL_STAGING,
  STAND_IN_DISCORD_TOKEN,
} from '../../dev/jobs/discord/discord-stand-in.ts';
import { startStandIns, type StartedStandIns } from '../../dev/stand-ins.ts';
import { testConfig } from '../support/test-config.ts';

let dir: string;
let started: StartedStandIns;
let client: DiscordClient;

before(async () => {
  dir = path.join(await mkdtemp(path.join(tmpdir(), 'tm-discord-stand-in-')), 'discord');
  started = await startStandIns({ DEV_DISCORD_DIR: dir }, [discordStandIn]);
  // The worker's own config, read from what the stand-in hands start-dev.
  client = createDiscordClient(testConfig('postgres://unused@127.0.0.1/none', started.env).discord, { retries: 0 });
});
after(async () => {
  client?.close();
  await started?.close();
  await rm(path.dirname(dir), { recursive: true, force: true });
});

describe('the Discord stand-in start-dev runs', () => {
  it('points the worker at itself: a dev token, its API base on loopback, two channels, the folder', () => {
    assert.deepEqual(started.lines.map((line) => line.name), ['discord']);
    assert.match(started.env.DISCORD_API_BASE_URL ?? '', /^http:\/\/127\.0\.0\.1:\d+\/api$/);
    assert.equal(started.env.DISCORD_BOT_TOKEN, STAND_IN_DISCORD_TOKEN);
    assert.equal(started.env.DISCORD_CHANNEL_ID_PRODUCTION, STAND_IN_CHANNEL_PRODUCTION);
    assert.equal(started.env.DISCORD_CHANNEL_ID_STAGING, STAND_IN_CHANNEL_STAGING);
    assert.notEqual(STAND_IN_CHANNEL_PRODUCTION, STAND_IN_CHANNEL_STAGING);
    assert.equal(started.env.DEV_DISCORD_DIR, dir);
    const config = testConfig('postgres://unused@127.0.0.1/none', started.env).discord;
    assert.deepEqual(config.announcementChannels, { production: STAND_IN_CHANNEL_PRODUCTION, staging: STAND_IN_CHANNEL_STAGING });
  });

  it('takes announcements in both channels and DMs to any user, and appends each to messages.jsonl', async () => {
    const production = await client.createMessage(STAND_IN_CHANNEL_PRODUCTION, { content: 'to production' }, { nonce: discordNonce('p') });
    const staging = await client.createMessage(STAND_IN_CHANNEL_STAGING, { embeds: [{ title: 'to staging' }] }, { nonce: discordNonce('s') });
    const dm = await client.openDm('1300000000000000042');
    await client.createMessage(dm, { content: 'a DM' }, { nonce: discordNonce('d') });
    // The same nonce again: Discord's enforce_nonce answers the first message, nothing is appended.
    const again = await client.createMessage(STAND_IN_CHANNEL_PRODUCTION, { content: 'to production' }, { nonce: discordNonce('p') });
    assert.equal(again.id, production.id);

    const lines = (await readFile(path.join(dir, 'messages.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, 3);
    assert.deepEqual(
      lines.map((line) => [line.id, line.channel]),
      [
        [production.id, { id: STAND_IN_CHANNEL_PRODUCTION, type: 'text', name: 'trades' }],
        [staging.id, { id: STAND_IN_CHANNEL_STAGING, type: 'text', name: 'trades-staging' }],
        [lines[2].id, { id: dm, type: 'dm', recipientId: '1300000000000000042' }],
      ],
    );
    assert.deepEqual(lines[1].embeds, [{ title: 'to staging' }]);
    assert.equal(lines[2].content, 'a DM');
  });

  it('refuses an unknown channel as Discord does', async () => {
    await assert.rejects(client.createMessage('1400000000000000099', { content: 'x' }, { nonce: 'x' }), (error: unknown) => {
      assert.ok(error instanceof PermanentJobError);
      assert.equal(error.code, 'DISCORD_UNKNOWN_CHANNEL');
      return true;
    });
  });

  it('steps aside for a real bot token, and defaults the folder to .data/discord', async () => {
    const real = await startStandIns({ DISCORD_BOT_TOKEN: 'real-token' }, [discordStandIn]);
    assert.deepEqual(real.env, {});
    assert.match(real.lines[0]?.summary ?? '', /real Discord \(DISCORD_BOT_TOKEN is set\)/);
    await real.close();

    const defaulted = await startStandIns({}, [discordStandIn]);
    try {
      assert.equal(defaulted.env.DEV_DISCORD_DIR, '.data/discord');
    } finally {
      await defaulted.close();
    }
  });
});

/**
 * discord.trade-announcement and discord.trade-dm against the fake Discord (the real client) and a
 * seeded database: what is posted, the settings gate, permanent errors, and "sent once": a post
 * whose answer never arrives, and an attempt killed (SIGKILL) after Discord stored the post but
 * before the worker recorded it, both leave exactly one message.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeDiscord, type FakeDiscord } from '../../../dev/jobs/discord/fake-discord.ts';
import { seedDatabase } from '../../../dev/seed/seed-database.ts';
import { seedExamples } from '../../../dev/seed/seed-examples.ts';
import { tradeAnnouncement, type TradeAnnouncementResult } from '../../../src/jobs/discord/trade-announcement.ts';
import { tradeDm, type TradeDmResult } from '../../../src/jobs/discord/trade-dm.ts';
import { PermanentJobError, RetryableJobError } from '../../../src/jobs/outcomes.ts';
import { runJobInline } from '../../../src/jobs/runner.ts';
import { openJobHarness, type JobHarness } from '../../support/job-harness.ts';
import { startNodeScript } from '../../support/spawn-node.ts';

const CHANNEL = '1400000000000000001';
const FRONTEND = 'http://localhost:3000';
const DISCORD_ID = '123456789012345678';
const { tradeId, recipientUserId } = seedExamples.tradeRequest;

let fake: FakeDiscord;
let harness: JobHarness;
let env: Record<string, string>;

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('the job succeeded'),
    (thrown: unknown) => thrown,
  );
}

async function setRecipient(discordUserId: string | null, userSettings: unknown): Promise<void> {
  await harness.database.db.updateTable('user').set({ discordUserId, userSettings: JSON.stringify(userSettings) }).where('id', '=', recipientUserId).execute();
}

const dmsOn = { notifications: { tradeActionDiscordDm: true, tradeActionEmail: true } };
const requestDm = {
  kind: 'request' as const,
  tradeId,
  recipientUserId,
  acceptUrl: `${FRONTEND}/trades/${tradeId}?action=accept`,
  declineUrl: `${FRONTEND}/trades/${tradeId}?action=decline`,
  notificationSettingsUrl: `${FRONTEND}/dashboard`,
};

before(async () => {
  fake = await startFakeDiscord();
  env = {
    DISCORD_BOT_TOKEN: fake.token,
    DISCORD_API_BASE_URL: fake.apiBaseUrl,
    DISCORD_CHANNEL_ID_PRODUCTION: CHANNEL,
    DISCORD_TIMEOUT_MS: '3000',
    FRONTEND_URL: FRONTEND,
  };
  harness = await openJobHarness(env);
  await seedDatabase(harness.database.url, { season: 2026 });
  fake.addChannel(CHANNEL, 'trades');
});

beforeEach(async () => {
  fake.reset();
  await setRecipient(DISCORD_ID, dmsOn);
});

after(async () => {
  await harness?.close();
  await fake?.close();
});

describe('discord.trade-announcement', () => {
  test("posts the trade's embed to the target's channel once; a retry of the same job posts nothing", async () => {
    const jobId = randomUUID();
    const result = (await runJobInline(tradeAnnouncement, { tradeId }, harness.deps, { id: jobId })) as TradeAnnouncementResult;
    const [message, ...more] = fake.messages();
    assert.equal(more.length, 0);
    assert.deepEqual(result, { target: 'production', channelId: CHANNEL, messageId: message?.id, alreadySent: false });
    assert.equal(message?.channel_id, CHANNEL);
    const embed = message?.embeds[0] as { title?: string; description?: string } | undefined;
    assert.equal(embed?.title, '🔊  A Trade Has Been Submitted  🔊');
    assert.match(embed?.description ?? '', /Trade will be upheld after: <t:\d+:F>/);
    const requests = fake.requests.length;

    const again = (await runJobInline(tradeAnnouncement, { tradeId }, harness.deps, { id: jobId })) as TradeAnnouncementResult;
    assert.deepEqual(again, { ...result, alreadySent: true });
    assert.equal(fake.requests.length, requests, 'the retry did not even ask Discord');
    assert.equal(fake.messages().length, 1);
  });

  test('an unknown trade and an unconfigured channel are permanent, and post nothing', async () => {
    const unknown = await failure(runJobInline(tradeAnnouncement, { tradeId: randomUUID() }, harness.deps));
    assert.ok(unknown instanceof PermanentJobError && unknown.code === 'TRADE_NOT_FOUND', String(unknown));
    const staging = await openJobHarness({ ...env, STAGING_DATABASE_URL: harness.database.url, STAGING_SCHEMA: 'public' });
    try {
      const noChannel = await failure(runJobInline(tradeAnnouncement, { tradeId, target: 'staging' }, staging.deps));
      assert.ok(noChannel instanceof PermanentJobError && noChannel.code === 'DISCORD_CHANNEL_NOT_CONFIGURED', String(noChannel));
      assert.match(noChannel.message, /DISCORD_CHANNEL_ID_STAGING is not set/);
    } finally {
      await staging.close();
    }
    assert.equal(fake.messages().length, 0);
  });
});

describe('sent once', () => {
  test('the post reached Discord but its answer was lost: the retry sends the same nonce and Discord keeps one message', async () => {
    fake.injectFaults({ kind: 'dropAfterPost', route: 'message' });
    const jobId = randomUUID();
    const first = await failure(runJobInline(tradeAnnouncement, { tradeId }, harness.deps, { id: jobId }));
    assert.ok(first instanceof RetryableJobError, `a lost answer is retryable (${String(first)})`);
    assert.equal(fake.messages().length, 1, 'Discord stored the post');

    const retry = (await runJobInline(tradeAnnouncement, { tradeId }, harness.deps, { id: jobId })) as TradeAnnouncementResult;
    const posts = fake.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/messages'));
    assert.equal(posts.length, 2, 'the retry did post again');
    const nonces = posts.map((request) => (request.body as { nonce?: unknown; enforce_nonce?: unknown }).nonce);
    assert.equal(nonces[0], nonces[1], 'with the same nonce');
    assert.ok(posts.every((request) => (request.body as { enforce_nonce?: unknown }).enforce_nonce === true));
    assert.equal(fake.messages().length, 1, 'and Discord kept one message');
    assert.equal(retry.messageId, fake.messages()[0]?.id);
  });

  test('the worker is killed (SIGKILL) after Discord stored the DM and before it recorded it: the next attempt leaves one message', async () => {
    fake.injectFaults({ kind: 'holdAfterPost', ms: 30_000, route: 'message' });
    const jobId = randomUUID();
    const child = startNodeScript('test/jobs/discord/support/run-job-once.ts', ['discord.trade-dm', JSON.stringify(requestDm), jobId], {
      ...env,
      DEPLOY_ENV: 'test',
      DATABASE_URL: harness.database.url,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 20_000;
    while (fake.messages().length === 0 && Date.now() < deadline) await sleep(20);
    assert.equal(fake.messages().length, 1, `Discord stored the DM (child stderr: ${stderr})`);
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const result = (await runJobInline(tradeDm, requestDm, harness.deps, { id: jobId })) as TradeDmResult;
    assert.equal(result.outcome, 'sent', 'nothing was recorded, so this attempt is the one that completes');
    const [message, ...more] = fake.messages();
    assert.equal(more.length, 0, 'one DM, not two');
    assert.equal(result.messageId, message?.id);
    const posts = fake.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/messages'));
    assert.equal(posts.length, 2);
    assert.equal((posts[0]?.body as { nonce?: unknown }).nonce, (posts[1]?.body as { nonce?: unknown }).nonce);
  });
});

describe('discord.trade-dm', () => {
  test('a request DM opens the DM channel and posts the embed with Accept and Decline buttons', async () => {
    const result = (await runJobInline(tradeDm, requestDm, harness.deps)) as TradeDmResult;
    assert.equal(result.outcome, 'sent');
    const dmOpen = fake.requests.find((request) => request.path.endsWith('/users/@me/channels'));
    assert.deepEqual(dmOpen?.body, { recipient_id: DISCORD_ID });
    const [message] = fake.messages();
    assert.equal(message?.channel_id, result.channelId);
    const embed = message?.embeds[0] as { title?: string; footer?: { text?: string } } | undefined;
    assert.equal(embed?.title, 'Action Needed');
    assert.equal(embed?.footer?.text, `Manage your email/Discord trade notifications at ${FRONTEND}/dashboard`);
    const buttons = (message?.components[0] as { components?: { label?: string; url?: string }[] } | undefined)?.components ?? [];
    assert.deepEqual(buttons.map((button) => [button.label, button.url]), [
      ['Accept', requestDm.acceptUrl],
      ['Decline', requestDm.declineUrl],
    ]);
  });

  const skips: { name: string; discordUserId: string | null; settings: unknown; reason: string }[] = [
    { name: 'DMs turned off (the default)', discordUserId: DISCORD_ID, settings: {}, reason: 'dm_disabled' },
    { name: 'no Discord id', discordUserId: null, settings: dmsOn, reason: 'no_discord_user_id' },
    { name: 'a Discord id that is not a snowflake', discordUserId: 'casey#1234', settings: dmsOn, reason: 'invalid_discord_user_id' },
  ];
  for (const { name, discordUserId, settings, reason } of skips) {
    test(`${name}: completes skipped with the reason, nothing sent`, async () => {
      await setRecipient(discordUserId, settings);
      const result = (await runJobInline(tradeDm, requestDm, harness.deps)) as TradeDmResult;
      assert.deepEqual(result, { target: 'production', kind: 'request', outcome: 'skipped', reason });
      assert.equal(fake.requests.length, 0);
    });
  }

  test('a user who refuses DMs (50007) is a permanent DISCORD_DMS_CLOSED, not retried', async () => {
    fake.setUsersRefusingDms([DISCORD_ID]);
    try {
      const error = await failure(runJobInline(tradeDm, requestDm, harness.deps));
      assert.ok(error instanceof PermanentJobError && error.code === 'DISCORD_DMS_CLOSED', String(error));
    } finally {
      fake.setUsersRefusingDms([]);
    }
  });

  test('a link off the frontend is refused before anything is read or sent', async () => {
    const error = await failure(runJobInline(tradeDm, { ...requestDm, acceptUrl: 'https://evil.example/accept' }, harness.deps));
    assert.ok(error instanceof PermanentJobError && error.code === 'LINK_NOT_ALLOWED', String(error));
    assert.equal(fake.requests.length, 0);
  });

  test('submit and declined DMs carry their own button', async () => {
    await runJobInline(tradeDm, { kind: 'submit', tradeId, recipientUserId, submitUrl: `${FRONTEND}/trades/${tradeId}/submit` }, harness.deps);
    await runJobInline(tradeDm, { kind: 'declined', tradeId, recipientUserId, isCreator: true, viewUrl: `${FRONTEND}/trades/${tradeId}` }, harness.deps);
    const [submit, declined] = fake.messages();
    const labels = (message: typeof submit) => ((message?.components[0] as { components?: { label?: string }[] } | undefined)?.components ?? []).map((button) => button.label);
    assert.deepEqual(labels(submit), ['Submit trade']);
    assert.deepEqual(labels(declined), ['View trade']);
    assert.equal((declined?.embeds[0] as { title?: string }).title, 'Trade Declined');
  });
});

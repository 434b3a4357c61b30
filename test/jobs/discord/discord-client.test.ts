import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import type { RESTPostAPIChannelMessageJSONBody } from 'discord-api-types/v10';
import type { Config } from '../../../src/config.ts';
import { createDiscordClient, discordNonce, type DiscordClient, type DiscordClientOptions } from '../../../src/jobs/discord/discord-client.ts';
import { PermanentJobError, RetryableJobError } from '../../../src/jobs/outcomes.ts';
import { discordLimits, startFakeDiscord, type FakeDiscord } from '../../../dev/jobs/discord/fake-discord.ts';

const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDAwMQ.secret-bot-token.abcdefghijklmnop';
const CHANNEL = '1200000000000000001';
const OTHER_CHANNEL = '1200000000000000002';
const USER = '1300000000000000001';
const NO_DMS_USER = '1300000000000000002';
const STRANGER = '1300000000000000009';

/** Collects on demand, so a test can read what the client recorded. */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}
const reader = new OnDemandReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

/** The rate-limit waits recorded so far, by their `global` label: count and sum of seconds. */
async function rateLimitWaits(): Promise<Map<string, { count: number; sum: number }>> {
  const { resourceMetrics } = await reader.collect();
  const waits = new Map<string, { count: number; sum: number }>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== 'worker.discord.rate_limit.wait') continue;
      for (const point of (metric as HistogramMetricData).dataPoints) {
        assert.deepEqual(Object.keys(point.attributes), ['global'], 'only the global label, never the route');
        waits.set(String(point.attributes.global), { count: point.value.count, sum: point.value.sum ?? 0 });
      }
    }
  }
  return waits;
}

let fake: FakeDiscord;
const clients: DiscordClient[] = [];

type ClientSettings = Pick<Config['discord'], 'botToken' | 'apiBaseUrl' | 'timeoutMs'>;

function settings(overrides: Partial<ClientSettings> = {}): ClientSettings {
  return { botToken: TOKEN, apiBaseUrl: fake.apiBaseUrl, timeoutMs: 2000, ...overrides };
}

/** A fresh client for each test: its rate-limit state must not leak between tests. */
function client(overrides: Partial<Config['discord']> = {}, options: DiscordClientOptions = { retries: 1 }): DiscordClient {
  const created = createDiscordClient(settings(overrides), options);
  clients.push(created);
  return created;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error, `expected an Error, got ${inspect(error)}`);
    assert.ok(!inspect(error, { depth: 6 }).includes(TOKEN), 'the token never appears in an error');
    return error;
  }
  assert.fail('resolved; expected a rejection');
}

const body: RESTPostAPIChannelMessageJSONBody = {
  content: 'Trade submitted',
  embeds: [{ title: 'Trade', description: '**A** sends _B_', color: 0x5865f2, fields: [{ name: 'Gets', value: 'Player', inline: true }] }],
  components: [{ type: 1, components: [{ type: 2, style: 5, label: 'View', url: 'https://app.example.test/trades/1' }] }],
};

before(async () => {
  fake = await startFakeDiscord({ token: TOKEN });
  fake.addChannel(CHANNEL, 'trades');
  fake.addChannel(OTHER_CHANNEL, 'staging-trades');
  fake.setKnownUsers([USER, NO_DMS_USER]);
  fake.setUsersRefusingDms([NO_DMS_USER]);
});

beforeEach(() => fake.reset());

after(async () => {
  for (const each of clients) each.close();
  await fake.close();
});

describe('discordNonce', () => {
  test('is deterministic, at most 25 characters, and differs by seed', () => {
    const nonce = discordNonce('job-1:announcement');
    assert.equal(discordNonce('job-1:announcement'), nonce);
    assert.ok(nonce.length <= 25 && nonce.length > 0, nonce);
    assert.match(nonce, /^[0-9a-z]+$/);
    assert.notEqual(discordNonce('job-2:announcement'), nonce);
  });
});

describe('sending', () => {
  test('opens a DM then posts to it, with the exact bodies and headers', async () => {
    const discord = client();
    const channelId = await discord.openDm(USER);
    const nonce = discordNonce('job-dm-1');
    const sent = await discord.createMessage(channelId, body, { nonce });

    assert.equal(fake.requests.length, 2);
    const [open, post] = fake.requests;
    assert.equal(open?.method, 'POST');
    assert.equal(open?.path, '/api/v10/users/@me/channels');
    assert.deepEqual(open?.body, { recipient_id: USER });
    assert.equal(open?.headers.authorization, `Bot ${TOKEN}`);
    assert.match(String(open?.headers['content-type']), /^application\/json/);
    assert.equal(post?.path, `/api/v10/channels/${channelId}/messages`);
    assert.deepEqual(post?.body, { ...body, nonce, enforce_nonce: true });
    assert.equal(post?.headers.authorization, `Bot ${TOKEN}`);

    const stored = fake.messages();
    assert.equal(stored.length, 1);
    assert.deepEqual(sent, { id: stored[0]?.id, channelId });
    assert.deepEqual(stored[0]?.channel, { id: channelId, type: 'dm', recipientId: USER });
    assert.equal(await discord.openDm(USER), channelId, 'the same user gets the same DM channel');
  });

  test('a repeated nonce answers the first message and the fake holds one', async () => {
    const discord = client();
    const nonce = discordNonce('job-announce-7');
    const first = await discord.createMessage(CHANNEL, body, { nonce });
    const second = await discord.createMessage(CHANNEL, { ...body, content: 'changed on retry' }, { nonce });
    assert.deepEqual(second, first);
    assert.equal(fake.messages().length, 1);
    assert.equal(fake.messages()[0]?.content, 'Trade submitted');
    const third = await discord.createMessage(CHANNEL, body, { nonce: discordNonce('job-announce-8') });
    assert.notEqual(third.id, first.id);
    assert.equal(fake.messages().length, 2);
  });

  test('a post stored but never answered is answered with the same message on the retry', async () => {
    const discord = client();
    const nonce = discordNonce('job-drop-1');
    fake.injectFaults({ kind: 'dropAfterPost', route: 'message' });
    const error = await rejection(discord.createMessage(CHANNEL, body, { nonce }));
    assert.ok(error instanceof RetryableJobError, inspect(error));
    assert.equal(error.code, 'DISCORD_UNREACHABLE');
    assert.equal(fake.messages().length, 1);
    const retried = await discord.createMessage(CHANNEL, body, { nonce });
    assert.equal(retried.id, fake.messages()[0]?.id);
    assert.equal(fake.messages().length, 1);
  });
});

describe('errors', () => {
  const cases: {
    name: string;
    run: (discord: DiscordClient) => Promise<unknown>;
    kind: typeof PermanentJobError | typeof RetryableJobError;
    code: string;
    mentions: RegExp;
  }[] = [
    {
      name: '50007: a user who refuses DMs',
      run: async (discord) => discord.createMessage(await discord.openDm(NO_DMS_USER), body, { nonce: 'n1' }),
      kind: PermanentJobError,
      code: 'DISCORD_DMS_CLOSED',
      mentions: /POST \/channels\/\d+\/messages.*does not accept direct messages.*403, code 50007/,
    },
    {
      name: '10013: an unknown user',
      run: (discord) => discord.openDm(STRANGER),
      kind: PermanentJobError,
      code: 'DISCORD_UNKNOWN_USER',
      mentions: /POST \/users\/@me\/channels.*404, code 10013/,
    },
    {
      name: '10003: an unknown channel',
      run: (discord) => discord.createMessage('1200000000000000099', body, { nonce: 'n2' }),
      kind: PermanentJobError,
      code: 'DISCORD_UNKNOWN_CHANNEL',
      mentions: /POST \/channels\/1200000000000000099\/messages.*code 10003/,
    },
    {
      name: '50001: missing access',
      run: (discord) => {
        fake.denyAccess(OTHER_CHANNEL);
        return discord.createMessage(OTHER_CHANNEL, body, { nonce: 'n3' });
      },
      kind: PermanentJobError,
      code: 'DISCORD_MISSING_ACCESS',
      mentions: /code 50001/,
    },
    {
      name: '50035: an embed over Discord’s limits, with Discord’s message',
      run: (discord) => discord.createMessage(CHANNEL, { embeds: [{ title: 'x'.repeat(discordLimits.title + 1) }] }, { nonce: 'n4' }),
      kind: PermanentJobError,
      code: 'DISCORD_REJECTED',
      mentions: /400, code 50035.*Invalid Form Body.*embeds\[0\]\.title.*256 or fewer/s,
    },
    {
      name: '401: a wrong token',
      run: (discord) => discord.createMessage(CHANNEL, body, { nonce: 'n5' }),
      kind: PermanentJobError,
      code: 'DISCORD_UNAUTHORIZED',
      mentions: /401.*DISCORD_BOT_TOKEN/,
    },
  ];
  for (const each of cases) {
    test(each.name, async () => {
      const discord = each.code === 'DISCORD_UNAUTHORIZED' ? client({ botToken: 'not-the-token' }) : client();
      const error = await rejection(each.run(discord));
      assert.ok(error instanceof each.kind, `${each.kind.name} expected, got ${inspect(error)}`);
      assert.equal((error as PermanentJobError).code, each.code);
      assert.match(error.message, each.mentions);
      assert.equal(fake.messages().length, 0);
    });
  }

  test('after a 401 the client still sends its token (the library forgets it)', async () => {
    const discord = client();
    fake.injectFaults({ kind: 'status', status: 401 });
    assert.equal(((await rejection(discord.createMessage(CHANNEL, body, { nonce: 'a1' }))) as PermanentJobError).code, 'DISCORD_UNAUTHORIZED');
    await discord.createMessage(CHANNEL, body, { nonce: 'a2' });
    assert.equal(fake.messages().length, 1);
  });

  test('no token: DISCORD_NOT_CONFIGURED, nothing sent', async () => {
    const error = await rejection(client({ botToken: undefined }).openDm(USER));
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'DISCORD_NOT_CONFIGURED');
    assert.equal(fake.requests.length, 0);
  });

  test('5xx: retried by the client, then retryable DISCORD_UNAVAILABLE', async () => {
    fake.injectFaults({ kind: 'status', status: 502, times: 3 });
    const error = await rejection(client({}, { retries: 2 }).createMessage(CHANNEL, body, { nonce: 'u1' }));
    assert.ok(error instanceof RetryableJobError, inspect(error));
    assert.equal(error.code, 'DISCORD_UNAVAILABLE');
    assert.match(error.message, /502 for POST \/channels\/\d+\/messages after 2 retries/);
    assert.equal(fake.requests.length, 3, 'the first attempt and two retries');
  });

  test('5xx then success: the client’s own retry posts once', async () => {
    fake.injectFaults({ kind: 'status', status: 500 });
    const sent = await client({}, { retries: 2 }).createMessage(CHANNEL, body, { nonce: 'u2' });
    assert.equal(fake.requests.length, 2);
    assert.equal(fake.messages().length, 1);
    assert.equal(sent.id, fake.messages()[0]?.id);
  });

  test('timeout: retryable DISCORD_TIMEOUT after the client’s retries', async () => {
    fake.injectFaults({ kind: 'delay', ms: 1500, times: 2 });
    const started = performance.now();
    const error = await rejection(client({ timeoutMs: 200 }, { retries: 1 }).createMessage(CHANNEL, body, { nonce: 't1' }));
    assert.ok(error instanceof RetryableJobError, inspect(error));
    assert.equal(error.code, 'DISCORD_TIMEOUT');
    assert.match(error.message, /within 200 ms/);
    assert.ok(performance.now() - started < 1400, 'gave up at the timeout, not at the answer');
    assert.equal(fake.requests.length, 2);
  });

  test('abort: retryable DISCORD_ABORTED, not a timeout', async () => {
    fake.injectFaults({ kind: 'delay', ms: 1500, times: 5 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(client({ timeoutMs: 5000 }).createMessage(CHANNEL, body, { nonce: 'ab1', signal: controller.signal }));
    assert.ok(error instanceof RetryableJobError, inspect(error));
    assert.equal(error.code, 'DISCORD_ABORTED');
  });

  test('connection refused: retryable DISCORD_UNREACHABLE', async () => {
    const error = await rejection(client({ apiBaseUrl: 'http://127.0.0.1:9/api' }, { retries: 0 }).openDm(USER));
    assert.ok(error instanceof RetryableJobError, inspect(error));
    assert.equal(error.code, 'DISCORD_UNREACHABLE');
    assert.match(error.message, /POST \/users\/@me\/channels/);
  });
});

describe('rate limits (kept by @discordjs/rest)', () => {
  test('a 429 with retry_after 0.2 s is waited out, then the post succeeds once; the wait is recorded', async () => {
    const before = (await rateLimitWaits()).get('false') ?? { count: 0, sum: 0 };
    fake.injectFaults({ kind: 'rateLimit', retryAfter: 0.2, route: 'message' });
    const discord = client();
    const sent = await discord.createMessage(CHANNEL, body, { nonce: 'r1' });
    assert.equal(fake.requests.length, 2);
    const gap = (fake.requests[1]?.at ?? 0) - (fake.requests[0]?.at ?? 0);
    assert.ok(gap >= 190, `waited ${gap} ms`);
    assert.equal(fake.messages().length, 1);
    assert.equal(sent.id, fake.messages()[0]?.id);
    const after = (await rateLimitWaits()).get('false');
    assert.ok(after, 'a non-global wait is recorded');
    assert.equal(after.count, before.count + 1);
    assert.ok(after.sum - before.sum >= 0.15, `recorded ${after.sum - before.sum} s`);
  });

  test('a global 429 (X-RateLimit-Global, body global: true) is waited out and recorded as global', async () => {
    fake.injectFaults({ kind: 'rateLimit', retryAfter: 0.3, global: true, route: 'dm' });
    const discord = client();
    const channelId = await discord.openDm(USER);
    assert.equal(fake.requests.length, 2);
    const gap = (fake.requests[1]?.at ?? 0) - (fake.requests[0]?.at ?? 0);
    assert.ok(gap >= 290, `waited ${gap} ms`);
    assert.match(channelId, /^\d+$/);
    const global = (await rateLimitWaits()).get('true');
    assert.ok(global && global.count >= 1, 'a global wait is recorded');
  });

  test('a wait longer than the client sits out: retryable DISCORD_RATE_LIMITED, nothing posted', async () => {
    fake.injectFaults({ kind: 'rateLimit', retryAfter: 30, route: 'message' });
    const discord = client({}, { retries: 1, maxRateLimitWaitMs: 1000 });
    const error = await rejection(discord.createMessage(CHANNEL, body, { nonce: 'r2' }));
    assert.ok(error instanceof RetryableJobError, inspect(error));
    assert.equal(error.code, 'DISCORD_RATE_LIMITED');
    assert.equal(fake.messages().length, 0);
  });

  test('every answer carries the bucket headers', async () => {
    await client().createMessage(CHANNEL, body, { nonce: 'h1' });
    const response = await fetch(`${fake.apiBaseUrl}/v10/channels/${CHANNEL}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'hi' }),
    });
    assert.equal(response.status, 200);
    for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-reset-after', 'x-ratelimit-bucket']) {
      assert.ok(response.headers.get(name), `${name} present`);
    }
    assert.equal(Number(response.headers.get('x-ratelimit-remaining')), Number(response.headers.get('x-ratelimit-limit')) - 2);
  });
});

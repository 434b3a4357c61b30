import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Config } from '../../src/config.ts';
import { createEmailWebhookHandler, createReplayCache, emailWebhookDefaults } from '../../src/http/email-webhooks.ts';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.ts';
import { emailStatusPayload, type EmailStatusPayloadInput } from '../../src/jobs/email/email-status.ts';

const signingKey = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
const brevoSecret = 'brevo-s3cret-value';
const settings: Config['emailWebhooks'] = { mailgunSigningKey: signingKey, brevoSecret, maxAgeSeconds: 300 };

/** The enqueue function the handler gets: records every payload, or fails when told to. */
function recordingEnqueue() {
  const payloads: EmailStatusPayloadInput[] = [];
  let failNext = false;
  return {
    payloads,
    failOnce: () => {
      failNext = true;
    },
    enqueue: async (payload: EmailStatusPayloadInput) => {
      if (failNext) {
        failNext = false;
        throw new Error('queue down');
      }
      payloads.push(payload);
      return 'job-id';
    },
  };
}

/** A Mailgun webhook body signed as Mailgun signs: hex HMAC-SHA256(key, timestamp + token). */
function mailgunBody(options: { timestamp?: number; token?: string; key?: string; event?: string; severity?: string; messageId?: string; tags?: string[] } = {}) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const token = options.token ?? randomBytes(25).toString('hex');
  const signature = createHmac('sha256', options.key ?? signingKey).update(timestamp + token).digest('hex');
  return {
    signature: { timestamp, token, signature },
    'event-data': {
      event: options.event ?? 'delivered',
      ...(options.severity ? { severity: options.severity } : {}),
      timestamp: 1_700_000_000.123,
      tags: options.tags ?? ['trade_request'],
      message: { headers: { 'message-id': options.messageId ?? '20240101.abc@mg.example.test' } },
    },
  };
}

/** A Brevo transactional event as its webhook posts it. */
const brevoEvent: Record<string, unknown> = { event: 'opened', email: 'casey@example.test', 'message-id': '<202401.1@smtp-relay.mailin.fr>', tags: ['trade_request'], ts_event: 1_700_000_000 };

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await response.json()) as { error?: string; ok?: boolean };
  return { status: response.status, json };
}

describe('email webhooks on a real HTTP server', () => {
  let server: RunningHttpServer;
  const recorder = recordingEnqueue();

  before(async () => {
    server = await startHttpServer({ host: '127.0.0.1', port: 0, readiness: {}, routes: [createEmailWebhookHandler(settings, recorder.enqueue)] });
  });
  after(async () => {
    await server?.close();
  });
  beforeEach(() => recorder.payloads.splice(0));

  test('a correctly signed Mailgun event enqueues the exact payload', async () => {
    const { status, json } = await post(server.url, '/webhooks/mailgun', mailgunBody({ messageId: 'abc.123@mg.example.test' }));
    assert.equal(status, 200);
    assert.equal(json.ok, true);
    assert.deepEqual(recorder.payloads, [
      { target: 'production', messageId: '<abc.123@mg.example.test>', event: 'delivered', provider: 'mailgun', occurredAt: '2023-11-14T22:13:20.123Z' },
    ]);
    // And the job's own schema accepts it as is.
    assert.equal(emailStatusPayload.safeParse(recorder.payloads[0]).success, true);
  });

  test('Mailgun failed maps by severity; a staging tag targets staging; bracketed ids stay as they are', async () => {
    await post(server.url, '/webhooks/mailgun', mailgunBody({ event: 'failed', severity: 'permanent', messageId: '<p@mg.example.test>', tags: ['staging'] }));
    await post(server.url, '/webhooks/mailgun', mailgunBody({ event: 'failed', severity: 'temporary', messageId: 't@mg.example.test' }));
    assert.deepEqual(
      recorder.payloads.map((p) => [p.target, p.messageId, p.event]),
      [
        ['staging', '<p@mg.example.test>', 'permanent_fail'],
        ['production', '<t@mg.example.test>', 'temporary_fail'],
      ],
    );
  });

  test('wrong signature, wrong key, stale or future timestamp, replayed token: 401 and nothing enqueued', async () => {
    const tampered = mailgunBody();
    tampered.signature.signature = tampered.signature.signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    const stale = mailgunBody({ timestamp: Math.floor(Date.now() / 1000) - settings.maxAgeSeconds - 5 });
    const future = mailgunBody({ timestamp: Math.floor(Date.now() / 1000) + 120 });
    const unsigned = mailgunBody() as { signature?: unknown };
    delete unsigned.signature;
    for (const [name, body, reason] of [
      ['tampered', tampered, /signature does not match/],
      ['other key', mailgunBody({ key: 'not-the-key' }), /signature does not match/],
      ['stale', stale, /older than 300 seconds/],
      ['future', future, /in the future/],
      ['unsigned', unsigned, /missing field signature.timestamp/],
    ] as const) {
      const { status, json } = await post(server.url, '/webhooks/mailgun', body);
      assert.equal(status, 401, name);
      assert.match(json.error ?? '', reason, name);
    }
    assert.deepEqual(recorder.payloads, []);

    const once = mailgunBody();
    assert.equal((await post(server.url, '/webhooks/mailgun', once)).status, 200);
    const replay = await post(server.url, '/webhooks/mailgun', once);
    assert.equal(replay.status, 401);
    assert.match(replay.json.error ?? '', /already used/);
    assert.equal(recorder.payloads.length, 1);
  });

  test('a Mailgun event the queue could not take is answered 503, and its retry is not a replay', async () => {
    const body = mailgunBody();
    recorder.failOnce();
    assert.equal((await post(server.url, '/webhooks/mailgun', body)).status, 503);
    assert.deepEqual(recorder.payloads, []);
    assert.equal((await post(server.url, '/webhooks/mailgun', body)).status, 200);
    assert.equal(recorder.payloads.length, 1);
  });

  test('Mailgun: missing event fields are 400 naming the field; bad JSON is 400', async () => {
    const signed = mailgunBody();
    const { event: _dropped, ...withoutEvent } = signed['event-data'];
    const noEvent = { ...signed, 'event-data': withoutEvent };
    const noId = mailgunBody({ messageId: '  ' });
    assert.deepEqual(await post(server.url, '/webhooks/mailgun', noEvent), { status: 400, json: { error: 'missing field event-data.event' } });
    assert.deepEqual(await post(server.url, '/webhooks/mailgun', noId), { status: 400, json: { error: 'missing field event-data.message.headers.message-id' } });
    assert.deepEqual(await post(server.url, '/webhooks/mailgun', '{"signature":'), { status: 400, json: { error: 'body is not valid JSON' } });
    assert.deepEqual(recorder.payloads, []);
  });

  test('Brevo with the secret (query token or Bearer) enqueues; a staging tag targets staging', async () => {
    assert.equal((await post(server.url, `/webhooks/brevo?token=${brevoSecret}`, brevoEvent)).status, 200);
    const staged = await post(server.url, '/webhooks/brevo', { ...brevoEvent, event: 'hard_bounce', tags: ['trade_request', 'staging'] }, { authorization: `Bearer ${brevoSecret}` });
    assert.equal(staged.status, 200);
    assert.deepEqual(recorder.payloads, [
      { target: 'production', messageId: '<202401.1@smtp-relay.mailin.fr>', event: 'opened', provider: 'brevo', occurredAt: '2023-11-14T22:13:20.000Z' },
      { target: 'staging', messageId: '<202401.1@smtp-relay.mailin.fr>', event: 'hard_bounce', provider: 'brevo', occurredAt: '2023-11-14T22:13:20.000Z' },
    ]);
  });

  test('Brevo batched events are each enqueued', async () => {
    const batch = [brevoEvent, { ...brevoEvent, event: 'click', 'message-id': '<2@x>' }];
    assert.equal((await post(server.url, `/webhooks/brevo?token=${brevoSecret}`, batch)).status, 200);
    assert.deepEqual(recorder.payloads.map((p) => [p.messageId, p.event]), [['<202401.1@smtp-relay.mailin.fr>', 'opened'], ['<2@x>', 'click']]);
    const bad = await post(server.url, `/webhooks/brevo?token=${brevoSecret}`, [brevoEvent, { event: 'click' }]);
    assert.deepEqual(bad, { status: 400, json: { error: 'missing field [1].message-id' } });
    assert.equal(recorder.payloads.length, 2, 'nothing of a bad batch is enqueued');
  });

  test('Brevo without or with a wrong secret: 401, nothing enqueued', async () => {
    for (const [path, headers] of [
      ['/webhooks/brevo', {}],
      ['/webhooks/brevo?token=wrong', {}],
      [`/webhooks/brevo?token=${brevoSecret}x`, {}],
      ['/webhooks/brevo', { authorization: 'Bearer nope' }],
      ['/webhooks/brevo', { authorization: `Basic ${brevoSecret}` }],
    ] as const) {
      const { status } = await post(server.url, path, brevoEvent, headers);
      assert.equal(status, 401, `${path} ${JSON.stringify(headers)}`);
    }
    assert.deepEqual(recorder.payloads, []);
  });

  test('Brevo: missing fields and bad JSON are 400 naming the field', async () => {
    const path = `/webhooks/brevo?token=${brevoSecret}`;
    assert.deepEqual(await post(server.url, path, { ...brevoEvent, event: undefined }), { status: 400, json: { error: 'missing field event' } });
    assert.deepEqual(await post(server.url, path, { ...brevoEvent, 'message-id': '' }), { status: 400, json: { error: 'missing field message-id' } });
    assert.deepEqual(await post(server.url, path, 'not json'), { status: 400, json: { error: 'body is not valid JSON' } });
    assert.deepEqual(await post(server.url, path, '42'), { status: 400, json: { error: 'body must be a JSON object' } });
    assert.deepEqual(recorder.payloads, []);
  });

  test('a body over 64 KB is 413, declared or streamed, and nothing is enqueued', async () => {
    const big = { ...brevoEvent, padding: 'x'.repeat(emailWebhookDefaults.maxBodyBytes) };
    const declared = await post(server.url, `/webhooks/brevo?token=${brevoSecret}`, big);
    assert.equal(declared.status, 413);
    const mailgun = await post(server.url, '/webhooks/mailgun', { ...mailgunBody(), padding: 'x'.repeat(emailWebhookDefaults.maxBodyBytes) });
    assert.equal(mailgun.status, 413);
    // Chunked, no Content-Length: the limit holds on the bytes actually read.
    const streamed = await new Promise<number>((resolve, reject) => {
      const url = new URL(`/webhooks/brevo?token=${brevoSecret}`, server.url);
      const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = 'x'.repeat(16 * 1024);
      req.write('{"padding":"');
      for (let i = 0; i < 5; i += 1) req.write(chunk);
      req.end('"}');
    });
    assert.equal(streamed, 413);
    assert.deepEqual(recorder.payloads, []);
  });

  test('only POST: another method is 405', async () => {
    const response = await fetch(`${server.url}/webhooks/brevo?token=${brevoSecret}`);
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'POST');
  });
});

describe('webhook routes without their secret', () => {
  for (const [name, partial, path] of [
    ['mailgun', { mailgunSigningKey: undefined, brevoSecret }, '/webhooks/mailgun'],
    ['brevo', { mailgunSigningKey: signingKey, brevoSecret: undefined }, '/webhooks/brevo'],
  ] as const) {
    test(`${name} is absent (404 from the server) when its secret is not set; the other still answers`, async () => {
      const recorder = recordingEnqueue();
      const server = await startHttpServer({
        host: '127.0.0.1',
        port: 0,
        readiness: {},
        routes: [createEmailWebhookHandler({ ...partial, maxAgeSeconds: 300 }, recorder.enqueue)],
      });
      try {
        const body = name === 'mailgun' ? mailgunBody() : brevoEvent;
        const { status, json } = await post(server.url, `${path}?token=${brevoSecret}`, body);
        assert.equal(status, 404);
        assert.match(json.error ?? '', /no route/);
        const other = name === 'mailgun' ? await post(server.url, `/webhooks/brevo?token=${brevoSecret}`, brevoEvent) : await post(server.url, '/webhooks/mailgun', mailgunBody());
        assert.equal(other.status, 200);
        assert.equal(recorder.payloads.length, 1);
      } finally {
        await server.close();
      }
    });
  }
});

describe('the replay cache', () => {
  test('bounded in size: the oldest token goes first', () => {
    const cache = createReplayCache(3, 60_000);
    for (const token of ['a', 'b', 'c', 'd']) assert.equal(cache.claim(token, 1000), true);
    assert.equal(cache.size, 3);
    assert.equal(cache.claim('a', 1000), true, 'a was evicted');
    assert.equal(cache.claim('d', 1000), false);
  });
  test('bounded in age: an expired token is forgotten', () => {
    const cache = createReplayCache(10, 1000);
    assert.equal(cache.claim('t', 0), true);
    assert.equal(cache.claim('t', 999), false);
    assert.equal(cache.claim('u', 2000), true);
    assert.equal(cache.size, 1, 't expired and was dropped');
    assert.equal(cache.claim('t', 2000), true);
  });
});

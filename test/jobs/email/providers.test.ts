import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { createMailer, type Mailer, type OutgoingEmail } from '../../../src/jobs/email/mailer.ts';
import { retryAfterSeconds } from '../../../src/jobs/email/mailgun-provider.ts';
import { PermanentJobError, RetryableJobError, SnoozeJob } from '../../../src/jobs/outcomes.ts';
import { brevoFaults, startFakeBrevo, type FakeBrevo } from '../../support/fake-brevo.ts';
import { mailgunFaults, startFakeMailgun, type FakeMailgun, fakeMailgunMaxBytes } from '../../support/fake-mailgun.ts';
import { testConfig } from '../../support/test-config.ts';

const apiKey = 'key-s3cr3t-9f8e7d6c5b4a';
const log = pino({ level: 'silent' });

const message: OutgoingEmail = {
  to: { address: 'casey@example.test', name: 'Casey "Mighty" Jones' },
  subject: 'Trade request',
  html: '<p>Hello</p>',
  text: 'Hello',
  headers: { 'X-TradeMachine-Original-To': 'someone@example.test' },
  tags: ['trade_request'],
  idempotencyKey: '0b9e4c3a-6f1d-8e2b-9a7c-5d4e3f2a1b0c',
  messageId: '<0b9e4c3a-6f1d-8e2b-9a7c-5d4e3f2a1b0c@trademachine.local>',
};

/** Runs `send` and returns what it threw, failing the test if it resolved. */
async function failure(mailer: Mailer): Promise<unknown> {
  try {
    await mailer.send(message);
  } catch (error) {
    return error;
  }
  assert.fail('send should have thrown');
}

function assertOutcome(error: unknown, kind: typeof PermanentJobError | typeof RetryableJobError, code: string): void {
  assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
  assert.equal(error.code, code);
  assert.ok(!error.message.includes(apiKey), 'API key leaked into the message');
  assert.ok(!JSON.stringify(error).includes(apiKey), 'API key leaked into the error');
}

describe('brevo provider', () => {
  let fake: FakeBrevo;
  let mailer: Mailer;
  before(async () => {
    fake = await startFakeBrevo({ apiKey });
    const config = testConfig('postgres://unused/db', {
      EMAIL_PROVIDER: 'brevo',
      BREVO_API_KEY: apiKey,
      BREVO_BASE_URL: fake.baseUrl,
      EMAIL_REDIRECT_ADDRESS: 'redirect@example.test',
      EMAIL_TIMEOUT_MS: '300',
    });
    mailer = createMailer(config.email, log);
  });
  after(async () => {
    await mailer.close();
    await fake.close();
  });
  beforeEach(() => fake.messages.splice(0));

  it('sends the JSON body and returns the messageId of the 201', async () => {
    const sent = await mailer.send(message);
    assert.equal(sent.provider, 'brevo');
    assert.equal(fake.messages.length, 1);
    const received = fake.messages[0]!;
    assert.equal(sent.messageId, received.messageId);
    assert.match(sent.messageId, /^<.+@smtp-relay\.mailin\.fr>$/);
    assert.deepEqual(received.body.sender, { name: 'TradeMachine', email: 'tradebot@trademachine.local' });
    assert.deepEqual(received.body.to, [{ email: 'casey@example.test', name: 'Casey "Mighty" Jones' }]);
    assert.equal(received.body.subject, 'Trade request');
    assert.equal(received.body.htmlContent, '<p>Hello</p>');
    assert.equal(received.body.textContent, 'Hello');
    assert.deepEqual(received.body.tags, ['trade_request']);
    assert.deepEqual(received.body.headers, {
      'X-TradeMachine-Original-To': 'someone@example.test',
      'Message-ID': message.messageId,
      idempotencyKey: message.idempotencyKey,
    });
  });

  it('a repeat with the same idempotency key is folded by Brevo into the first message', async () => {
    const once = { ...message, idempotencyKey: '2d1a6e5c-8b3f-8a4d-9c9e-7f6a5b4c3d2e' };
    const first = await mailer.send(once);
    const again = await mailer.send(once);
    const other = await mailer.send({ ...message, idempotencyKey: '1c0f5d4b-7a2e-8f3c-8b8d-6e5f4a3b2c1d' });
    assert.equal(again.messageId, first.messageId);
    assert.notEqual(other.messageId, first.messageId);
    assert.equal(fake.messages.length, 2, 'two keys, two messages');
  });

  it('400 → EMAIL_REJECTED with the provider message', async () => {
    fake.failNext(1, brevoFaults.badRequest('valid sender email required'));
    const error = await failure(mailer);
    assertOutcome(error, PermanentJobError, 'EMAIL_REJECTED');
    assert.match((error as Error).message, /invalid_parameter: valid sender email required/);
  });

  it('a wrong key → EMAIL_UNAUTHORIZED, and the key is not in the error', async () => {
    const fakeWithOtherKey = await startFakeBrevo({ apiKey: 'another-key' });
    const config = testConfig('postgres://unused/db', {
      EMAIL_PROVIDER: 'brevo',
      BREVO_API_KEY: apiKey,
      BREVO_BASE_URL: fakeWithOtherKey.baseUrl,
      EMAIL_REDIRECT_ADDRESS: 'redirect@example.test',
    });
    const wrongKeyMailer = createMailer(config.email, log);
    try {
      const error = await failure(wrongKeyMailer);
      assertOutcome(error, PermanentJobError, 'EMAIL_UNAUTHORIZED');
      assert.match((error as Error).message, /Key not found/);
    } finally {
      await wrongKeyMailer.close();
      await fakeWithOtherKey.close();
    }
  });

  it('a provider message echoing the key is scrubbed', async () => {
    fake.failNext(1, brevoFaults.badRequest(`api-key ${apiKey} is not allowed from this IP`));
    const error = await failure(mailer);
    assertOutcome(error, PermanentJobError, 'EMAIL_REJECTED');
    assert.match((error as Error).message, /api-key \[redacted\] is not allowed/);
  });

  it('429 with x-sib-ratelimit-reset → snooze for that many seconds', async () => {
    fake.failNext(1, brevoFaults.rateLimited(42));
    const error = await failure(mailer);
    assert.ok(error instanceof SnoozeJob, String(error));
    assert.equal(error.seconds, 42);
  });

  it('429 without a usable reset → EMAIL_RATE_LIMITED retry', async () => {
    fake.failNext(1, { kind: 'status', status: 429, body: JSON.stringify({ code: 'too_many_requests', message: 'slow down' }) });
    assertOutcome(await failure(mailer), RetryableJobError, 'EMAIL_RATE_LIMITED');
  });

  it('5xx → EMAIL_PROVIDER_UNAVAILABLE retry', async () => {
    fake.failNext(1, brevoFaults.serverError(502));
    assertOutcome(await failure(mailer), RetryableJobError, 'EMAIL_PROVIDER_UNAVAILABLE');
  });

  it('no answer within EMAIL_TIMEOUT_MS → EMAIL_TIMEOUT retry', async () => {
    fake.failNext(1, { kind: 'hang' });
    const started = Date.now();
    assertOutcome(await failure(mailer), RetryableJobError, 'EMAIL_TIMEOUT');
    assert.ok(Date.now() - started < 3000, 'timed out promptly');
  });

  it('a dropped connection → EMAIL_UNREACHABLE retry', async () => {
    fake.failNext(1, { kind: 'reset' });
    assertOutcome(await failure(mailer), RetryableJobError, 'EMAIL_UNREACHABLE');
  });

  it('201 without a messageId is permanent: the message may have gone out', async () => {
    fake.failNext(1, { kind: 'status', status: 201, body: '{}' });
    assertOutcome(await failure(mailer), PermanentJobError, 'EMAIL_BAD_RESPONSE');
  });

  it('the job signal aborts a pending request', async () => {
    fake.failNext(1, { kind: 'hang' });
    const controller = new AbortController();
    const pending = mailer.send(message, controller.signal);
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending, (error: unknown) => error instanceof RetryableJobError && error.code === 'EMAIL_ABORTED');
  });
});

describe('mailgun provider', () => {
  const domain = 'mg.example.test';
  let fake: FakeMailgun;
  let mailer: Mailer;
  before(async () => {
    fake = await startFakeMailgun({ apiKey, domain });
    mailer = createMailer(mailgunConfig(fake.baseUrl, apiKey, domain).email, log);
  });
  after(async () => {
    await mailer.close();
    await fake.close();
  });
  beforeEach(() => fake.messages.splice(0));

  function mailgunConfig(baseUrl: string, key: string, mgDomain: string) {
    return testConfig('postgres://unused/db', {
      EMAIL_PROVIDER: 'mailgun',
      MAILGUN_API_KEY: key,
      MAILGUN_DOMAIN: mgDomain,
      MAILGUN_BASE_URL: baseUrl,
      EMAIL_REDIRECT_ADDRESS: 'redirect@example.test',
      EMAIL_TIMEOUT_MS: '300',
    });
  }

  it('sends multipart fields and returns the id of the 200', async () => {
    const sent = await mailer.send(message);
    assert.equal(sent.provider, 'mailgun');
    assert.equal(fake.messages.length, 1);
    const received = fake.messages[0]!;
    assert.equal(sent.messageId, received.id);
    assert.match(sent.messageId, /^<.+@mg\.example\.test>$/);
    assert.equal(received.get('from'), '"TradeMachine" <tradebot@trademachine.local>');
    assert.equal(received.get('to'), '"Casey Mighty Jones" <casey@example.test>');
    assert.equal(received.get('subject'), 'Trade request');
    assert.equal(received.get('text'), 'Hello');
    assert.equal(received.get('html'), '<p>Hello</p>');
    assert.deepEqual(received.getAll('o:tag'), ['trade_request']);
    assert.equal(received.get('h:X-TradeMachine-Original-To'), 'someone@example.test');
    assert.equal(received.get('h:Message-Id'), message.messageId, 'a stable Message-ID, since Mailgun takes no idempotency key');
  });

  it('a wrong key → 401 plain "Forbidden" → EMAIL_UNAUTHORIZED without the key', async () => {
    const wrong = createMailer(mailgunConfig(fake.baseUrl, `${apiKey}-wrong`, domain).email, log);
    try {
      const error = await failure(wrong);
      assertOutcome(error, PermanentJobError, 'EMAIL_UNAUTHORIZED');
      assert.match((error as Error).message, /Forbidden/);
      assert.ok(!(error as Error).message.includes(`${apiKey}-wrong`));
    } finally {
      await wrong.close();
    }
  });

  it('an unknown domain → 404 → EMAIL_DOMAIN_NOT_FOUND', async () => {
    const wrong = createMailer(mailgunConfig(fake.baseUrl, apiKey, 'other.example.test').email, log);
    try {
      const error = await failure(wrong);
      assertOutcome(error, PermanentJobError, 'EMAIL_DOMAIN_NOT_FOUND');
      assert.match((error as Error).message, /Domain not found: other\.example\.test/);
    } finally {
      await wrong.close();
    }
  });

  it('400 → EMAIL_REJECTED with the provider message', async () => {
    fake.failNext(1, mailgunFaults.badRequest("'to' parameter is not a valid address"));
    const error = await failure(mailer);
    assertOutcome(error, PermanentJobError, 'EMAIL_REJECTED');
    assert.match((error as Error).message, /'to' parameter is not a valid address/);
  });

  it('a body over the limit → 413 → EMAIL_TOO_LARGE', async () => {
    const huge = { ...message, html: `<p>${'x'.repeat(fakeMailgunMaxBytes)}</p>` };
    await assert.rejects(mailer.send(huge), (error: unknown) => {
      assertOutcome(error, PermanentJobError, 'EMAIL_TOO_LARGE');
      return true;
    });
  });

  it('429 with "try again after <date>" → snooze until then', async () => {
    const at = new Date(Date.now() + 90_000).toUTCString();
    fake.failNext(1, mailgunFaults.rateLimited(`Domain ${domain} is not allowed to send: rate limit exceeded, try again after ${at}`));
    const error = await failure(mailer);
    assert.ok(error instanceof SnoozeJob, String(error));
    assert.ok(error.seconds >= 85 && error.seconds <= 91, `snooze ${error.seconds}`);
  });

  it('429 without a stated wait → EMAIL_RATE_LIMITED retry', async () => {
    fake.failNext(1, mailgunFaults.rateLimited('Too many requests'));
    assertOutcome(await failure(mailer), RetryableJobError, 'EMAIL_RATE_LIMITED');
  });

  it('500 → EMAIL_PROVIDER_UNAVAILABLE retry; the next request succeeds', async () => {
    fake.failNext(1, mailgunFaults.serverError());
    assertOutcome(await failure(mailer), RetryableJobError, 'EMAIL_PROVIDER_UNAVAILABLE');
    const sent = await mailer.send(message);
    assert.equal(sent.messageId, fake.messages[0]?.id);
  });

  it('no answer → EMAIL_TIMEOUT retry', async () => {
    fake.failNext(1, { kind: 'hang' });
    assertOutcome(await failure(mailer), RetryableJobError, 'EMAIL_TIMEOUT');
  });

  it('reads the wait from the message text', () => {
    const response = { status: 429, headers: {}, body: '' };
    assert.equal(retryAfterSeconds(response, 'Too many requests, try again in 15 seconds'), 15);
    const now = Date.parse('2025-08-25T07:00:00Z');
    assert.equal(retryAfterSeconds(response, 'recipient limit exceeded, try again after Mon, 25 Aug 2025 07:00:31 UTC', now), 31);
    assert.equal(retryAfterSeconds({ ...response, headers: { 'retry-after': '7' } }, ''), 7);
    assert.equal(retryAfterSeconds(response, 'Too many requests'), undefined);
  });
});

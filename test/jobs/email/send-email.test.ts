import assert from 'node:assert/strict';
import { testSideEffects } from './../../support/side-effects.ts';
import { idempotencyKey } from '../../../src/jobs/side-effects.ts';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import type pg from 'pg';
import { pino } from 'pino';
import type { Config } from '../../../src/config.ts';
import { openTargets, type Targets } from '../../../src/db/targets.ts';
import { createMailboxHandler } from '../../../src/http/mailbox-page.ts';
import { createClients, type Clients } from '../../../src/jobs/clients.ts';
import type { EmailPayloadInput } from '../../../src/jobs/email/email-payload.ts';
import { sendEmail, type SendEmailResult, type SentEmailResult } from '../../../src/jobs/email/send-email.ts';
import { PayloadError, PermanentJobError } from '../../../src/jobs/outcomes.ts';
import { executeJob, runJobInline, type RunnerDeps } from '../../../src/jobs/runner.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { startFakeBrevo, type FakeBrevo } from '../../support/fake-brevo.ts';
import { testConfig } from '../../support/test-config.ts';

/** The result of an email that was sent; fails the test when the job skipped it. */
function sentOf(result: SendEmailResult): SentEmailResult {
  assert.ok(!('skipped' in result), `the email was sent, not skipped (${JSON.stringify(result)})`);
  return result;
}

const frontend = 'https://app.example.test';
const redirectAddress = 'redirect@example.test';
const log = pino({ level: 'silent' });

/** The league the tests send about: two teams, their owners, one trade with a major, a minor and a pick. */
const ids = {
  mudville: randomUUID(),
  springfield: randomUUID(),
  casey: randomUUID(),
  homer: randomUUID(),
  trout: randomUUID(),
  holliday: randomUUID(),
  pick: randomUUID(),
  trade: randomUUID(),
};

async function seed(database: TestDatabase, schema = 'public'): Promise<void> {
  const db = database.db.withSchema(schema);
  await db.insertInto('team').values([
    { id: ids.mudville, name: 'Mudville Nine', status: '1' },
    { id: ids.springfield, name: 'Springfield Isotopes', status: '1' },
  ]).execute();
  await db.insertInto('user').values([
    { id: ids.casey, email: 'casey@example.test', displayName: 'Casey', teamId: ids.mudville },
    { id: ids.homer, email: 'homer@example.test', displayName: 'Homer', teamId: ids.springfield },
  ]).execute();
  await db.insertInto('player').values([
    { id: ids.trout, name: 'Mike Trout', league: '1', mlbTeam: 'LAA', meta: JSON.stringify({ position: 'CF' }), leagueTeamId: ids.mudville },
    {
      id: ids.holliday,
      name: 'Jackson Holliday',
      league: '2',
      meta: JSON.stringify({ minorLeaguePlayerFromSheet: { mlbTeam: 'BAL', position: 'SS', leagueLevel: 'AAA' } }),
      leagueTeamId: ids.mudville,
    },
  ]).execute();
  await db.insertInto('draft_pick').values({ id: ids.pick, round: 1, season: 2026, type: '1', currentOwnerId: ids.springfield, originalOwnerId: ids.springfield }).execute();
  await db.insertInto('trade').values({ id: ids.trade, status: '5', declinedById: ids.homer, declinedReason: 'Not enough pitching' }).execute();
  await db.insertInto('trade_participant').values([
    { id: randomUUID(), tradeId: ids.trade, teamId: ids.mudville, participantType: '1' },
    { id: randomUUID(), tradeId: ids.trade, teamId: ids.springfield, participantType: '2' },
  ]).execute();
  await db.insertInto('trade_item').values([
    { id: randomUUID(), tradeId: ids.trade, tradeItemId: ids.trout, tradeItemType: '1', senderId: ids.mudville, recipientId: ids.springfield },
    { id: randomUUID(), tradeId: ids.trade, tradeItemId: ids.holliday, tradeItemType: '1', senderId: ids.mudville, recipientId: ids.springfield },
    { id: randomUUID(), tradeId: ids.trade, tradeItemId: ids.pick, tradeItemType: '2', senderId: ids.springfield, recipientId: ids.mudville },
  ]).execute();
}

/**
 * Destroys a Kysely instance and waits until its pool's sockets are really closed. pg-pool's end()
 * resolves before idle clients finish disconnecting, and DROP DATABASE … WITH (FORCE) right after
 * would kill them mid-close: an 'error' on a pool without a listener, i.e. an uncaught exception.
 */
async function destroyAndWait(pool: pg.Pool, destroy: () => Promise<void>): Promise<void> {
  const open = pool.totalCount;
  let removed = 0;
  const allRemoved = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      removed += 1;
      if (removed >= open) resolve();
    });
  });
  await destroy();
  await allRemoved;
}

/** Closes the test database's own pool cleanly, then drops it. */
async function dropDatabase(database: TestDatabase | undefined): Promise<void> {
  if (!database) return;
  await destroyAndWait(database.pool, () => database.db.destroy());
  await database.drop();
}

/** Builds the real runner dependencies for a config; close() releases pools and sockets. */
function depsFor(config: Config): RunnerDeps & { close(): Promise<void> } {
  const targets: Targets = openTargets(config.targets, 2);
  const clients: Clients = createClients(config, log);
  return {
    config,
    targets,
    clients,
    log,
    sideEffects: testSideEffects(targets.get('production').pool),
    close: async () => {
      await clients.close();
      await Promise.all(targets.all.map((target) => destroyAndWait(target.pool, () => target.db.destroy())));
    },
  };
}

/** Runs the job and returns its error, failing the test if it succeeded. */
async function jobError(deps: RunnerDeps, payload: unknown): Promise<unknown> {
  try {
    await runJobInline(sendEmail, payload, deps);
  } catch (error) {
    return error;
  }
  assert.fail('the job should have failed');
}

function assertPermanent(error: unknown, code: string): asserts error is PermanentJobError {
  assert.ok(error instanceof PermanentJobError, `expected PermanentJobError ${code}, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
}

async function emailRow(database: TestDatabase, messageId: string, schema = 'public') {
  return database.db.withSchema(schema).selectFrom('email').selectAll().where('messageId', '=', messageId).executeTakeFirst();
}

describe('email.send against a real database and fake Brevo', () => {
  let database: TestDatabase;
  let fake: FakeBrevo;
  let deps: ReturnType<typeof depsFor>;

  before(async () => {
    database = await createTestDatabase();
    await seed(database);
    await seed(database, 'staging');
    fake = await startFakeBrevo({ apiKey: 'test-key' });
    // Production deployment, with staging in its own schema beside it (the default), so both targets can be tried.
    const config = testConfig(database.url, {
      DEPLOY_ENV: 'production',
      EMAIL_PROVIDER: 'brevo',
      BREVO_API_KEY: 'test-key',
      BREVO_BASE_URL: fake.baseUrl,
      EMAIL_REDIRECT_ADDRESS: redirectAddress,
      FRONTEND_URL: `${frontend}/`,
    });
    deps = depsFor(config);
  });
  after(async () => {
    await deps?.close();
    await fake?.close();
    await dropDatabase(database);
  });
  beforeEach(() => fake.messages.splice(0));

  const userEmails: { payload: EmailPayloadInput; subject: string; mustContain: string }[] = [
    {
      payload: { type: 'password_reset', userId: ids.casey, resetUrl: `${frontend}/reset?token=abc` },
      subject: 'Reset your TradeMachine password',
      mustContain: `${frontend}/reset?token=abc`,
    },
    {
      payload: { type: 'registration', userId: ids.casey, registrationUrl: `${frontend}/register/xyz` },
      subject: 'Welcome to TradeMachine',
      mustContain: `${frontend}/register/xyz`,
    },
    { payload: { type: 'test', userId: ids.casey }, subject: 'TradeMachine test email', mustContain: 'email delivery is working' },
  ];
  for (const { payload, subject, mustContain } of userEmails) {
    it(`${payload.type}: sends to the user and records the message id`, async () => {
      const result = sentOf(await runJobInline(sendEmail, payload, deps));
      assert.equal(fake.messages.length, 1);
      const received = fake.messages[0]!;
      assert.deepEqual(result, { type: payload.type, provider: 'brevo', messageId: received.messageId, redirected: false });
      assert.deepEqual(received.body.to, [{ email: 'casey@example.test', name: 'Casey' }]);
      assert.equal(received.body.subject, subject);
      assert.ok(received.body.textContent?.includes(mustContain), received.body.textContent);
      assert.match(received.body.htmlContent ?? '', /Hi Casey,/);
      assert.deepEqual(received.body.tags, [payload.type]);
      const row = await emailRow(database, received.messageId);
      assert.equal(row?.status, 'sent');
      assert.equal(row?.tradeId, null);
    });
  }

  const tradeEmails: { payload: EmailPayloadInput; subject: string }[] = [
    {
      payload: {
        type: 'trade_request',
        tradeId: ids.trade,
        recipientUserId: ids.homer,
        acceptUrl: `${frontend}/trades/${ids.trade}/accept`,
        declineUrl: `${frontend}/trades/${ids.trade}/decline`,
        tradeUrl: `${frontend}/trades/${ids.trade}`,
      },
      subject: 'Mudville Nine requested a trade with you',
    },
    { payload: { type: 'trade_declined', tradeId: ids.trade, recipientUserId: ids.homer }, subject: 'Homer declined your trade' },
    {
      payload: { type: 'trade_submit', tradeId: ids.trade, recipientUserId: ids.homer, tradeUrl: `${frontend}/trades/${ids.trade}` },
      subject: 'Trade submitted: Mudville Nine and Springfield Isotopes',
    },
  ];
  for (const { payload, subject } of tradeEmails) {
    it(`${payload.type}: reads the trade from hydrated_trades, sends, and records the trade id`, async () => {
      const result = sentOf(await runJobInline(sendEmail, payload, deps));
      assert.equal(fake.messages.length, 1);
      const received = fake.messages[0]!;
      assert.equal(result.messageId, received.messageId);
      assert.deepEqual(received.body.to, [{ email: 'homer@example.test', name: 'Homer' }]);
      assert.equal(received.body.subject, subject);
      const text = received.body.textContent ?? '';
      assert.match(text, /Mudville Nine -> Springfield Isotopes\n {2}Major leaguers:\n {4}- Mike Trout \(CF, LAA\)\n {2}Minor leaguers:\n {4}- Jackson Holliday \(SS, BAL, AAA\)/);
      assert.match(text, /Springfield Isotopes -> Mudville Nine\n {2}Draft picks:\n {4}- 2026 round 1 major league pick \(originally Springfield Isotopes\)/);
      if (payload.type === 'trade_request') {
        assert.ok((received.body.htmlContent ?? '').includes(`href="${frontend}/trades/${ids.trade}/accept"`));
        assert.ok((received.body.htmlContent ?? '').includes(`href="${frontend}/trades/${ids.trade}/decline"`));
      }
      if (payload.type === 'trade_declined') assert.match(text, /Reason: Not enough pitching/);
      const row = await emailRow(database, received.messageId);
      assert.equal(row?.status, 'sent');
      assert.equal(row?.tradeId, ids.trade);
    });
  }

  it('a trade email the recipient turned off is skipped: nothing sent, nothing recorded, a result saying why; other emails still go', async () => {
    const setSettings = (userSettings: unknown) =>
      database.db.updateTable('user').set({ userSettings: JSON.stringify(userSettings) }).where('id', '=', ids.homer).execute();
    try {
      await setSettings({ schemaVersion: 1, notifications: { tradeActionEmail: false, tradeActionDiscordDm: true } });
      const emailsBefore = await database.db.selectFrom('email').select('messageId').execute();
      const payload: EmailPayloadInput = { type: 'trade_declined', tradeId: ids.trade, recipientUserId: ids.homer };
      const result = await runJobInline(sendEmail, payload, deps);
      assert.deepEqual(result, { type: 'trade_declined', skipped: 'email_disabled' });
      assert.equal(fake.messages.length, 0, 'nothing reached the provider');
      assert.deepEqual(await database.db.selectFrom('email').select('messageId').execute(), emailsBefore, 'nothing recorded');
      sentOf(await runJobInline(sendEmail, { type: 'test', userId: ids.homer }, deps));
      assert.equal(fake.messages.length, 1, 'a non-trade email is not governed by the setting');

      // A setting of the wrong type falls back to its default (emails on), field by field.
      await setSettings({ notifications: { tradeActionEmail: 'no', tradeActionDiscordDm: false } });
      sentOf(await runJobInline(sendEmail, payload, deps));
      assert.equal(fake.messages.length, 2);
    } finally {
      await setSettings({});
    }
  });

  it('a non-production target redirects the recipient and shows the original one', async () => {
    const result = sentOf(await runJobInline(sendEmail, { type: 'test', userId: ids.casey, target: 'staging' }, deps));
    assert.equal(result.redirected, true);
    const received = fake.messages[0]!;
    assert.deepEqual(received.body.to, [{ email: redirectAddress }]);
    assert.equal(received.body.subject, 'TradeMachine test email [for casey@example.test]');
    assert.equal(received.body.headers?.['X-TradeMachine-Original-To'], 'casey@example.test');
    assert.equal((await emailRow(database, received.messageId, 'staging'))?.status, 'sent', 'recorded in staging\'s own email table');
    assert.equal(await emailRow(database, received.messageId), undefined, 'not in production\'s');
  });

  it('refuses to send from a non-production target without a redirect address', async () => {
    const unsafe = { ...deps, config: { ...deps.config, email: { ...deps.config.email, redirectAddress: undefined } } };
    const before = fake.requestCount();
    const error = await jobError(unsafe, { type: 'test', userId: ids.casey, target: 'staging' });
    assertPermanent(error, 'REDIRECT_NOT_CONFIGURED');
    assert.equal(fake.requestCount(), before);
  });

  it('a link on another origin fails with LINK_NOT_ALLOWED and sends nothing', async () => {
    const before = fake.requestCount();
    const error = await jobError(deps, {
      type: 'trade_request',
      tradeId: ids.trade,
      recipientUserId: ids.homer,
      acceptUrl: `${frontend}/accept`,
      declineUrl: 'https://evil.example.test/decline',
    });
    assertPermanent(error, 'LINK_NOT_ALLOWED');
    assert.match(error.message, /declineUrl must be on https:\/\/app\.example\.test/);
    assert.equal(fake.requestCount(), before);
  });

  it('an unknown user fails permanently with USER_NOT_FOUND and sends nothing', async () => {
    const before = fake.requestCount();
    assertPermanent(await jobError(deps, { type: 'test', userId: randomUUID() }), 'USER_NOT_FOUND');
    assert.equal(fake.requestCount(), before);
  });

  it('an unknown trade fails permanently with TRADE_NOT_FOUND', async () => {
    const error = await jobError(deps, { type: 'trade_submit', tradeId: randomUUID(), recipientUserId: ids.homer });
    assertPermanent(error, 'TRADE_NOT_FOUND');
  });

  it('an unknown payload field is a PayloadError naming it', async () => {
    const error = await jobError(deps, { type: 'test', userId: ids.casey, email: 'someone@else.test' });
    assert.ok(error instanceof PayloadError, String(error));
    assert.equal(error.message, 'email.send: Unrecognized key: "email"');
  });

  it('a retry after a failed recording does not send the message again', async () => {
    // The `email` insert fails exactly once: a sequence is not rolled back with the failing statement.
    await sql`CREATE SEQUENCE test_email_insert_calls`.execute(database.db);
    await sql`CREATE FUNCTION test_fail_first_email_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('test_email_insert_calls') = 1 THEN RAISE EXCEPTION 'injected failure after send'; END IF;
        RETURN NEW;
      END $$`.execute(database.db);
    await sql`CREATE TRIGGER test_fail_first_email_insert BEFORE INSERT ON email FOR EACH ROW EXECUTE FUNCTION test_fail_first_email_insert()`.execute(database.db);
    try {
      const payload = { type: 'test', userId: ids.homer };
      const first = await executeJob(sendEmail, payload, deps, { id: 'job-1', attempt: 1, signal: new AbortController().signal });
      assert.equal(first.kind, 'failed');
      assert.ok(first.kind === 'failed' && first.retryable, 'a failed recording is retried');
      assert.equal(fake.messages.length, 1, 'attempt 1 sent the message');
      const messageId = fake.messages[0]!.messageId;
      assert.equal(await emailRow(database, messageId), undefined, 'and could not record it');
      const { rows } = await database.pool.query('SELECT job_name, effect, result FROM pgboss.side_effect WHERE job_id = $1', ['job-1']);
      assert.deepEqual(rows, [{ job_name: 'email.send', effect: 'email', result: { provider: 'brevo', messageId, tradeId: null, redirected: false } }], 'the send was recorded durably');

      // The next attempt, in any process: nothing in memory carries over, only the record.
      const second = sentOf(await runJobInline(sendEmail, payload, deps, { id: 'job-1', attempt: 2 }));
      assert.equal(second.messageId, messageId);
      assert.equal(fake.messages.length, 1, 'attempt 2 did not send again');
      assert.equal((await emailRow(database, messageId))?.status, 'sent');
    } finally {
      await sql`DROP TRIGGER test_fail_first_email_insert ON email`.execute(database.db);
    }
  });

  it('a send whose record could not be written is repeated with the same idempotency key, which Brevo folds', async () => {
    await deps.sideEffects.forJob({ name: 'warm-up', id: 'warm-up', signal: new AbortController().signal, log }).once('warm-up', async () => 1);
    await sql`CREATE FUNCTION test_refuse_side_effect() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected: queue database refuses writes'; END $$`.execute(database.db);
    await sql`CREATE TRIGGER test_refuse_side_effect BEFORE INSERT ON pgboss.side_effect FOR EACH ROW EXECUTE FUNCTION test_refuse_side_effect()`.execute(database.db);
    const payload = { type: 'test', userId: ids.homer };
    let first;
    try {
      first = await executeJob(sendEmail, payload, deps, { id: 'job-window', attempt: 1, signal: new AbortController().signal });
    } finally {
      await sql`DROP TRIGGER test_refuse_side_effect ON pgboss.side_effect`.execute(database.db);
    }
    assert.ok(first.kind === 'failed' && first.retryable, 'retried');
    assert.equal((first.error as { code?: string }).code, 'SIDE_EFFECT_NOT_RECORDED');
    assert.equal(fake.messages.length, 1);
    const second = sentOf(await runJobInline(sendEmail, payload, deps, { id: 'job-window', attempt: 2 }));
    assert.equal(second.messageId, fake.messages[0]!.messageId, 'the repeat got the first message\'s id');
    assert.equal(fake.messages.length, 1, 'Brevo sent it once');
    assert.equal(fake.messages[0]!.body.headers?.idempotencyKey, idempotencyKey('email.send', 'job-window', 'email'));
  });

  it('recording is idempotent: an existing row for the message id is left alone', async () => {
    const result = sentOf(await runJobInline(sendEmail, { type: 'test', userId: ids.casey }, deps, { id: 'job-idempotent' }));
    await database.db.updateTable('email').set({ status: 'delivered' }).where('messageId', '=', result.messageId).execute();
    const again = sentOf(await runJobInline(sendEmail, { type: 'test', userId: ids.casey }, deps, { id: 'job-idempotent', attempt: 2 }));
    assert.equal(again.messageId, result.messageId);
    assert.equal((await emailRow(database, result.messageId))?.status, 'delivered');
    assert.equal(fake.messages.length, 1);
  });
});

describe('email.send with the dev mailbox, and the mailbox page', () => {
  let database: TestDatabase;
  let mailboxDir: string;
  let deps: ReturnType<typeof depsFor>;
  let server: Server;
  let baseUrl: string;
  const evilId = randomUUID();

  before(async () => {
    database = await createTestDatabase();
    await seed(database);
    await database.db.insertInto('user').values({ id: evilId, email: 'evil@example.test', displayName: '<script>alert(1)</script>' }).execute();
    mailboxDir = await mkdtemp(path.join(tmpdir(), 'tm-mailbox-'));
    // A non-production deployment without a redirect address: allowed only because nothing leaves the machine.
    const config = testConfig(database.url, { EMAIL_PROVIDER: 'dev-mailbox', DEV_MAILBOX_DIR: mailboxDir, FRONTEND_URL: frontend });
    deps = depsFor(config);
    const handle = createMailboxHandler(mailboxDir);
    server = createServer((req, res) => {
      handle(req, res).then((handled) => {
        if (!handled) {
          res.writeHead(418);
          res.end('not mine');
        }
      }, (error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await deps?.close();
    await dropDatabase(database);
    await rm(mailboxDir, { recursive: true, force: true });
  });

  it('an empty mailbox says so', async () => {
    const response = await fetch(`${baseUrl}/mailbox`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /No messages yet/);
  });

  it('writes the message files, and the page lists and shows them escaped', async () => {
    const first = sentOf(await runJobInline(sendEmail, { type: 'test', userId: ids.casey }, deps));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = sentOf(await runJobInline(sendEmail, { type: 'password_reset', userId: evilId, resetUrl: `${frontend}/reset?t=1` }, deps));
    assert.equal(first.provider, 'dev-mailbox');
    assert.equal(first.redirected, false);
    assert.match(second.messageId, /^<[0-9a-f-]{36}@trademachine\.local>$/, 'the Message-ID derived from the job');
    assert.equal((await emailRow(database, second.messageId))?.status, 'sent');

    const files = (await readdir(mailboxDir)).filter((file) => /\.(json|html)$/.test(file)).sort();
    assert.equal(files.length, 4, files.join(', '));
    const jsonFiles = files.filter((file) => file.endsWith('.json'));
    const stored = await Promise.all(jsonFiles.map(async (file) => JSON.parse(await readFile(path.join(mailboxDir, file), 'utf8')) as Record<string, string>));
    const reset = stored.find((message) => message.messageId === second.messageId);
    assert.ok(reset, 'the reset message is stored under its message id');
    assert.equal(reset.to, '<script>alert(1)</script> <evil@example.test>');
    assert.equal(reset.subject, 'Reset your TradeMachine password');
    assert.ok(files.includes(`${reset.id}.html`));

    const list = await (await fetch(`${baseUrl}/mailbox`)).text();
    assert.doesNotMatch(list, /<script>/);
    assert.ok(list.includes('&lt;script&gt;alert(1)&lt;/script&gt; &lt;evil@example.test&gt;'));
    const newest = list.indexOf('Reset your TradeMachine password');
    const oldest = list.indexOf('TradeMachine test email');
    assert.ok(newest > 0 && oldest > newest, 'newest first');
    assert.ok(list.includes(`href="/mailbox/${reset.id}"`));

    const pageResponse = await fetch(`${baseUrl}/mailbox/${reset.id}`);
    assert.equal(pageResponse.status, 200);
    assert.match(pageResponse.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const page = await pageResponse.text();
    assert.doesNotMatch(page, /<script>/);
    assert.ok(page.includes('<strong>To:</strong> &lt;script&gt;'));
    assert.ok(page.includes(`href="/mailbox/${reset.id}.txt"`));
    // The HTML part sits escaped inside a sandboxed srcdoc iframe.
    assert.match(page, /<iframe title="HTML part" sandbox srcdoc="&lt;!DOCTYPE html&gt;/);
    assert.ok(page.includes('&amp;lt;script&amp;gt;'), 'the already-escaped name is escaped once more for the attribute');

    const text = await fetch(`${baseUrl}/mailbox/${reset.id}.txt`);
    assert.equal(text.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.match(await text.text(), /Hi <script>alert\(1\)<\/script>,[\s\S]*https:\/\/app\.example\.test\/reset\?t=1/);
  });

  it('unknown or malformed ids are 404 and other paths are not handled', async () => {
    assert.equal((await fetch(`${baseUrl}/mailbox/1700000000000-${randomUUID()}`)).status, 404);
    assert.equal((await fetch(`${baseUrl}/mailbox/..%2F..%2Fetc%2Fpasswd`)).status, 404);
    assert.equal((await fetch(`${baseUrl}/mailbox/x/y`)).status, 404);
    assert.equal((await fetch(`${baseUrl}/health`)).status, 418);
    assert.equal((await fetch(`${baseUrl}/mailboxes`)).status, 418);
    assert.equal((await fetch(`${baseUrl}/mailbox`, { method: 'POST' })).status, 405);
  });
});

/**
 * No secret reaches a log line: a full run of the worker with every kind of secret configured
 * (database password, ESPN cookies, Brevo key) and a password-reset token in flight, logging at
 * trace into a capture, including failures whose upstream answers echo the request's secrets and
 * console input that carries them. Then the capture is searched for each secret.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, redactSecrets, redactText, secretValues } from '../../src/telemetry/logger.ts';
import { startWorker, type RunningWorker } from '../../src/worker.ts';
import { startReplServer } from '../../src/repl/repl-server.ts';
import { helloLine } from '../../src/repl/console-hello.ts';
import { runJobInline } from '../../src/jobs/runner.ts';
import { sendEmail } from '../../src/jobs/email/send-email.ts';
import { ADMIN_URL_VARIABLE, createTestDatabase, type TestDatabase } from '../support/database.ts';
import { espnErrorBody, startFakeEspn, type FakeEspn } from '../../dev/jobs/espn/fake-espn.ts';
import { brevoFaults, startFakeBrevo, type FakeBrevo } from '../support/fake-brevo.ts';
import { listenOnLoopback } from '../support/loopback-server.ts';
import { testConfig } from '../support/test-config.ts';
import { baseballLeague } from '../fixtures/espn/espn-fixtures.ts';
import { ConsoleDriver, PROMPT } from '../repl/console-driver.ts';
import { withPgClient } from '../../scripts/lib/pg-client.ts';

const LEAGUE_ID = 123456;
const SEASON = 2025;
const FRONTEND = 'https://app.example.test';
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

const secrets = {
  dbPassword: `DbPw${hex(8)}`,
  s2: `AEB${hex(24)}%2Bs2%3D`,
  swid: `{${randomUUID().toUpperCase()}}`,
  brevoKey: `xkeysib-${hex(24)}`,
  resetToken: `rst${hex(12)}`,
  otlpHeader: `hny${hex(16)}`,
};

let raw = '';
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    raw += chunk.toString('utf8');
    done();
  },
});
const lines = () => raw.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

let database: TestDatabase;
let fakeEspn: FakeEspn;
let fakeBrevo: FakeBrevo;
let echoEspn: { baseUrl: string; close(): Promise<void> };
let dir: string;
const role = `tm_redact_${hex(4)}`;
const userId = randomUUID();

async function asAdmin(query: string): Promise<void> {
  await withPgClient(process.env[ADMIN_URL_VARIABLE] ?? '', (client) => client.query(query));
}

async function waitForJob(worker: RunningWorker, name: string, id: string, states: readonly string[]): Promise<void> {
  for (let tries = 0; ; tries += 1) {
    const [job] = await worker.boss.findJobs(name, { id });
    if (job && states.includes(job.state)) return;
    assert.ok(tries < 300, `${name} ${id} is ${job?.state}`);
    await sleep(100);
  }
}

before(async () => {
  database = await createTestDatabase();
  await asAdmin(`CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${secrets.dbPassword}'`);
  fakeEspn = await startFakeEspn();
  fakeEspn.setLeague({ season: SEASON, leagueId: LEAGUE_ID, body: baseballLeague(), cookies: { s2: secrets.s2, swid: secrets.swid } });
  // An ESPN that refuses with 401 and echoes the request's headers (cookies included) in its error.
  const echo = createServer((req, res) => {
    const body = espnErrorBody(`not authorized; you sent ${JSON.stringify(req.headers)} (cookie ${req.headers.cookie})`, 'AUTH_LEAGUE_NOT_VISIBLE');
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(body);
  });
  echoEspn = await listenOnLoopback(echo);
  fakeBrevo = await startFakeBrevo({ apiKey: secrets.brevoKey });
  dir = await mkdtemp(path.join(tmpdir(), 'tm-redaction-'));
  await database.db.insertInto('team').values({ id: randomUUID(), name: 'Mudville Nine', status: '1', espnId: 1 }).execute();
  await database.db.insertInto('user').values({ id: userId, email: 'casey@example.test', displayName: 'Casey' }).execute();
});

after(async () => {
  await fakeEspn?.close();
  await fakeBrevo?.close();
  await echoEspn?.close();
  await database?.drop();
  await asAdmin(`DROP ROLE IF EXISTS ${role}`);
  await rm(dir, { recursive: true, force: true });
});

function configFor(espnBaseUrl: string) {
  const url = new URL(database.url);
  url.username = role;
  url.password = secrets.dbPassword;
  return testConfig(url.toString(), {
    HTTP_PORT: '0',
    LOG_LEVEL: 'trace',
    LOG_FORMAT: 'json',
    REPL_SOCKET_PATH: path.join(dir, 'run', 'repl.sock'),
    ESPN_LEAGUE_ID: String(LEAGUE_ID),
    ESPN_SEASON: String(SEASON),
    ESPN_BASE_URL: espnBaseUrl,
    ESPN_S2: secrets.s2,
    ESPN_SWID: secrets.swid,
    EMAIL_PROVIDER: 'brevo',
    BREVO_API_KEY: secrets.brevoKey,
    BREVO_BASE_URL: fakeBrevo.baseUrl,
    EMAIL_REDIRECT_ADDRESS: 'redirect@example.test',
    FRONTEND_URL: FRONTEND,
    // Configured but never started here (no telemetry in this test): the config line must still hide it.
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
    OTEL_EXPORTER_OTLP_HEADERS: `x-honeycomb-team=${secrets.otlpHeader}`,
  });
}

/** One worker's life: start (with the REPL, as main.ts wires it), the given work, stop. */
async function runWorker(espnBaseUrl: string, work: (worker: RunningWorker) => Promise<void>): Promise<void> {
  const config = configFor(espnBaseUrl);
  // Built exactly as the process entry builds it.
  const log = createLogger(config.log, { destination: capture, secrets: secretValues(config) });
  log.info({ config }, 'configuration');
  const worker = await startWorker({ config, log });
  const repl = await startReplServer(worker, { socketPath: config.repl.socketPath, log });
  try {
    await work(worker);
  } finally {
    await repl.close();
    await worker.stop();
  }
}

describe('a full run logs no secret', () => {
  before(async () => {
    await runWorker(fakeEspn.baseUrl, async (worker) => {
      const sync = await worker.boss.send('espn.team-sync', {});
      assert.ok(sync);
      await waitForJob(worker, 'espn.team-sync', sync, ['completed']);

      const resetUrl = `${FRONTEND}/reset?token=${secrets.resetToken}`;
      const reset = await worker.boss.send('email.send', { type: 'password_reset', userId, resetUrl });
      assert.ok(reset);
      await waitForJob(worker, 'email.send', reset, ['completed']);
      assert.equal(fakeBrevo.messages.length, 1);

      // Brevo refuses the key, echoing it back; a reset for a missing user; a reset link on a foreign origin.
      fakeBrevo.failNext(1, { kind: 'status', status: 401, body: JSON.stringify({ code: 'unauthorized', message: `Key not found: ${secrets.brevoKey}` }) });
      await assert.rejects(runJobInline(sendEmail, { type: 'password_reset', userId, resetUrl }, worker.deps));
      fakeBrevo.failNext(1, brevoFaults.serverError());
      await assert.rejects(runJobInline(sendEmail, { type: 'password_reset', userId, resetUrl }, worker.deps));
      await assert.rejects(runJobInline(sendEmail, { type: 'password_reset', userId: randomUUID(), resetUrl }, worker.deps));
      await assert.rejects(runJobInline(sendEmail, { type: 'password_reset', userId, resetUrl: `https://evil.example/reset?token=${secrets.resetToken}` }, worker.deps));
      await assert.rejects(runJobInline(sendEmail, { type: 'password_reset', userId, resetUrl, token: secrets.resetToken }, worker.deps));

      // An operator pastes secrets into the console: the audit log keeps the input, scrubbed.
      const socket = net.connect(worker.config.repl.socketPath);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(helloLine({ terminal: false }));
      const driver = new ConsoleDriver(socket, socket);
      await driver.waitFor(PROMPT);
      await driver.evaluate(`await runNow('email.send', { type: 'password_reset', userId: '${userId}', resetUrl: '${resetUrl}' })`);
      await driver.evaluate(`const check = ['${secrets.brevoKey}', '${secrets.s2}', '${configFor('http://x').database.url}']`);
      await driver.evaluate(`log.warn({ headers: { cookie: 'espn_s2=${secrets.s2}; SWID=${secrets.swid}' } }, 'debugging a cookie')`);
      socket.end();
    });
    // A private league whose ESPN answers 401 and echoes the cookies it got.
    await runWorker(echoEspn.baseUrl, async (worker) => {
      const sync = await worker.boss.send('espn.team-sync', {});
      assert.ok(sync);
      await waitForJob(worker, 'espn.team-sync', sync, ['failed']);
    });
  });

  test('the run happened: syncs, emails, failures, console input, all logged at trace', () => {
    const messages = lines().map((line) => line.msg);
    for (const msg of ['configuration', 'job completed', 'job failed', 'job failed permanently', 'repl input', 'debugging a cookie']) {
      assert.ok(messages.includes(msg), `logged "${msg}"`);
    }
    const unauthorized = lines().find((line) => line.code === 'ESPN_UNAUTHORIZED');
    assert.ok(unauthorized, 'the 401 was logged');
    assert.match(JSON.stringify(unauthorized), /\[redacted\]/, 'and the echoed cookies in it were scrubbed');
  });

  for (const [name, value] of Object.entries(secrets)) {
    test(`${name} appears nowhere in the log`, () => {
      for (const form of new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])) {
        assert.ok(!raw.includes(form), `${name} leaked: ${raw.split('\n').find((line) => line.includes(form))}`);
      }
    });
  }

  test('every line of a job carries its name, id, attempt and target', () => {
    const jobLines = lines().filter((line) => line.jobId !== undefined);
    assert.ok(jobLines.length > 10);
    for (const line of jobLines) {
      assert.equal(typeof line.job, 'string');
      assert.equal(typeof line.attempt, 'number');
      assert.equal(typeof line.target, 'string');
    }
  });
});

describe('redaction by shape, with no secret values given', () => {
  test('secret keys at any depth, credentials in URLs, tokens in query strings, cookies and auth headers in text', () => {
    const scrubbed = redactSecrets({
      config: { targets: [{ databaseUrl: 'postgres://u:p4ssw0rd@h/db' }], espn: { s2: 'AEBxyz', swid: '{ABC}' }, email: { brevo: { apiKey: 'k-123456' } } },
      url: 'postgres://app:hunter2secret@db.internal:5432/owner',
      err: { message: 'ESPN says: cookie espn_s2=AEBsecret%2B; SWID={1234-ABCD} refused', headers: { authorization: 'Bearer abcdef' } },
      link: 'https://app.example.test/reset?user=1&token=t0ps3cret#x',
      line: 'curl -H "api-key: xkeysib-abcdef" -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload"',
      fine: 'Basic information about 12 teams; tokenCount stays',
      tokenCount: 3,
    });
    const text = JSON.stringify(scrubbed);
    for (const secret of ['p4ssw0rd', 'AEBxyz', '{ABC}', 'k-123456', 'hunter2secret', 'AEBsecret', '1234-ABCD', 'abcdef', 't0ps3cret', 'eyJhbGciOiJIUzI1NiJ9']) {
      assert.ok(!text.includes(secret), `${secret} in ${text}`);
    }
    assert.equal(scrubbed.url, 'postgres://app:***@db.internal:5432/owner');
    assert.equal(scrubbed.link, 'https://app.example.test/reset?user=1&token=[redacted]#x');
    assert.equal(scrubbed.fine, 'Basic information about 12 teams; tokenCount stays');
    assert.equal(scrubbed.tokenCount, 3);
  });

  test('known secret values are removed from any text, also URL-encoded', () => {
    assert.equal(redactText('swid %7BAB-12%7D and {AB-12}', ['{AB-12}', '%7BAB-12%7D']), 'swid [redacted] and [redacted]');
  });
});

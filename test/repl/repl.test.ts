/**
 * The remote REPL end to end: a real worker on a real database, its REPL on a Unix socket, and
 * sessions driven through `scripts/console.ts` (piped) and a raw terminal-mode connection.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../src/telemetry/logger.ts';
import { startWorker, type RunningWorker } from '../../src/worker.ts';
import { startReplServer, ReplSocketInUseError, type RunningReplServer } from '../../src/repl/repl-server.ts';
import { helloLine } from '../../src/repl/console-hello.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startFakeEspn, type FakeEspn } from '../../dev/jobs/espn/fake-espn.ts';
import { startNodeScript } from '../support/spawn-node.ts';
import { testConfig } from '../support/test-config.ts';
import { baseballLeague } from '../fixtures/espn/espn-fixtures.ts';
import { ConsoleDriver, PROMPT, within } from './console-driver.ts';

const LEAGUE_ID = 123456;
const SEASON = 2025;
const S2 = `AEB${randomUUID().replaceAll('-', '')}s2cookie`;
const SWID = `{${randomUUID().toUpperCase()}}`;

/** Log lines the worker wrote, parsed. */
const lines: Record<string, unknown>[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let database: TestDatabase;
let fake: FakeEspn;
let dir: string;
let socketPath: string;
let worker: RunningWorker;
let repl: RunningReplServer;
const userId = randomUUID();
/** The worker's own globals, as they were before any console session. */
const worldBefore = { process: globalThis.process, Buffer: globalThis.Buffer, performance: globalThis.performance };
const exitFunctions = () => {
  const { exit, reallyExit, abort, kill, _kill } = process as unknown as Record<string, unknown>;
  return { exit, reallyExit, abort, kill, _kill };
};
const exitFunctionsBefore = exitFunctions();

/** Console clients started by the tests; any still running at the end (a failed test) are ended. */
const consoles = new Set<ChildProcessWithoutNullStreams>();

function consoleProcess(): { child: ChildProcessWithoutNullStreams; driver: ConsoleDriver; exited: Promise<number | null> } {
  const child = startNodeScript('scripts/console.ts', ['--socket', socketPath], {});
  consoles.add(child);
  child.once('exit', () => consoles.delete(child));
  const driver = new ConsoleDriver(child.stdout, child.stdin);
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, driver, exited };
}

async function health(): Promise<number> {
  return (await fetch(`${worker.http.url}/health`)).status;
}

function inputsAudited(): string[] {
  return lines.filter((line) => line.msg === 'repl input').map((line) => (line.repl as { input: string }).input);
}

before(async () => {
  database = await createTestDatabase();
  fake = await startFakeEspn();
  fake.setLeague({ season: SEASON, leagueId: LEAGUE_ID, body: baseballLeague(), cookies: { s2: S2, swid: SWID } });
  dir = await mkdtemp(path.join(tmpdir(), 'tm-repl-test-'));
  socketPath = path.join(dir, 'run', 'repl.sock');
  await database.db.insertInto('team').values({ id: randomUUID(), name: 'Mudville Nine', status: '1', espnId: 1 }).execute();
  await database.db.insertInto('user').values({ id: userId, email: 'casey@example.test', displayName: 'Casey' }).execute();
  const config = testConfig(database.url, {
    HTTP_PORT: '0',
    REPL_SOCKET_PATH: socketPath,
    DEV_MAILBOX_DIR: path.join(dir, 'mailbox'),
    ESPN_LEAGUE_ID: String(LEAGUE_ID),
    ESPN_SEASON: String(SEASON),
    ESPN_BASE_URL: fake.baseUrl,
    ESPN_S2: S2,
    ESPN_SWID: SWID,
  });
  const log = createLogger({ level: 'info', format: 'json' }, capture);
  // pg-boss's default timing: its cached queue counts refresh once a minute, queueStats() must not wait for that.
  worker = await startWorker({ config, log });
  repl = await startReplServer(worker, { socketPath: config.repl.socketPath, log });
});

after(async () => {
  for (const child of consoles) child.kill();
  await repl?.close();
  await worker?.stop();
  await fake?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('the REPL socket', () => {
  test('is a 0600 socket in a 0700 folder, never TCP', async () => {
    const socket = await stat(socketPath);
    assert.ok(socket.isSocket());
    assert.equal(socket.mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(socketPath))).mode & 0o777, 0o700);
    assert.equal(process.umask(), process.umask(), 'umask restored');
  });

  test('a second server on a live socket is refused; a stale socket file is replaced', async () => {
    await assert.rejects(startReplServer(worker, { socketPath, log: worker.log }), ReplSocketInUseError);
    const stalePath = path.join(dir, 'stale', 'repl.sock');
    // A process killed while listening leaves its socket file behind.
    const child = spawn(process.execPath, ['-e', `require('node:fs').mkdirSync(${JSON.stringify(path.dirname(stalePath))}, { recursive: true }); require('node:net').createServer().listen(${JSON.stringify(stalePath)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await new Promise((resolve) => child.once('exit', resolve));
    assert.ok((await stat(stalePath)).isSocket(), 'stale socket left behind');
    const second = await startReplServer(worker, { socketPath: stalePath, log: worker.log });
    await second.close();
    await assert.rejects(stat(stalePath), { code: 'ENOENT' });
  });
});

describe('a console session (scripts/console.ts)', () => {
  let session: ReturnType<typeof consoleProcess>;
  before(async () => {
    session = consoleProcess();
    await session.driver.waitFor(PROMPT);
  });
  after(async () => {
    session.child.kill();
    await session.exited;
  });

  test('evaluates expressions, with top-level await on the worker\'s Kysely instance', async () => {
    assert.match(await session.driver.evaluate('1 + 1'), /^2\n$/);
    assert.match(await session.driver.evaluate("await db.selectFrom('team').select('name').execute()"), /name: 'Mudville Nine'/);
  });

  test('config is there with its secrets masked', async () => {
    const shown = await session.driver.evaluate('JSON.stringify(config)');
    assert.match(shown, /"leagueId":123456/);
    assert.match(shown, /"s2":"\[redacted\]"/);
    assert.match(shown, /postgres:\/\/postgres:\*\*\*@|\[redacted\]/);
    assert.ok(!shown.includes(S2) && !shown.includes(SWID), 'no cookie in the shown config');
    assert.ok(!shown.includes(':postgres@'), 'no database password in the shown config');
  });

  test('enqueue queues a job that the worker runs; syncHistory shows its run', async () => {
    const out = await session.driver.evaluate("await enqueue('espn.team-sync', {})");
    const id = /'([0-9a-f-]{36})'/.exec(out)?.[1];
    assert.ok(id, `a job id, got ${out}`);
    for (let tries = 0; ; tries += 1) {
      const [job] = await worker.boss.findJobs('espn.team-sync', { id });
      if (job?.state === 'completed') break;
      assert.ok(tries < 200, `job still ${job?.state}`);
      await sleep(100);
    }
    const history = await session.driver.evaluate('await syncHistory(5)');
    assert.match(history, /status: 'completed'/);
    assert.match(history, new RegExp(id));
  });

  test('per target: staging is its own schema, obanJobs shows each schema\'s rows, schemaCheck checks both', async () => {
    assert.match(await session.driver.evaluate("await staging.selectFrom('team').select('name').execute()"), /^\[\]\n$/, 'staging\'s team table is its own (empty)');
    await database.pool.query(`INSERT INTO staging.oban_jobs (queue, worker, args, state, errors) VALUES ('emails', 'TradeMachine.Jobs.EmailWorker', '{}', 'discarded', ARRAY['{"at":"2026-11-24T00:00:00Z","attempt":1,"error":"boom in staging"}'::jsonb])`);
    const rows = await session.driver.evaluate("await obanJobs(5, 'staging')");
    assert.match(rows, /worker: 'TradeMachine\.Jobs\.EmailWorker'/);
    assert.match(rows, /lastError: 'boom in staging'/);
    assert.match(await session.driver.evaluate('await obanJobs(5)'), /^\[\]\n$/, 'production\'s oban_jobs is another table');
    const check = await session.driver.evaluate("(await schemaCheck()).map((c) => [c.target, c.schema, c.status, c.findings.length].join(':')).join(' ')");
    assert.equal(check.trim(), "'production:public:clean:0 staging:staging:clean:0'");
  });

  test('runNow runs a job inline with the real context and returns its result', async () => {
    const out = await session.driver.evaluate(`await runNow('email.send', { type: 'test', userId: '${userId}' })`);
    assert.match(out, /provider: 'dev-mailbox'/);
    assert.match(out, /messageId: '<[0-9a-f-]+@[\w.-]+>'/);
  });

  test('a failing runNow shows the job error, and the session goes on', async () => {
    const out = await session.driver.evaluate(`await runNow('email.send', { type: 'test', userId: '${randomUUID()}' })`);
    assert.match(out, /USER_NOT_FOUND|not found/);
    assert.match(await session.driver.evaluate('2 * 21'), /^42\n$/);
  });

  test('queueStats and recentFailures report the queues and a failed job with its error', async () => {
    const missing = randomUUID();
    const id = /'([0-9a-f-]{36})'/.exec(await session.driver.evaluate(`await enqueue('email.send', { type: 'test', userId: '${missing}' })`))?.[1];
    assert.ok(id);
    let failures = '';
    for (let tries = 0; !failures.includes(id); tries += 1) {
      assert.ok(tries < 100, `no failure reported for ${id}:\n${failures}`);
      await sleep(100);
      failures = await session.driver.evaluate('await recentFailures(5)');
    }
    assert.match(failures, /state: 'dead letter'/);
    assert.match(failures, /code: 'USER_NOT_FOUND'/);
    assert.match(failures, new RegExp(`user ${missing} not found`));
    // Counted now: no waiting for pg-boss's monitor pass.
    type Counts = { policy: string } & Record<'queued' | 'ready' | 'deferred' | 'blocked' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed' | 'total', number>;
    const stats = async () => JSON.parse(await session.driver.evaluate('console.log(JSON.stringify(await queueStats()))')) as Record<string, Counts>;
    const first = await stats();
    assert.ok((first['email.send.dead']?.total ?? 0) >= 1, `the dead letter is counted: ${JSON.stringify(first['email.send.dead'])}`);
    assert.ok((first['email.send.dead']?.ready ?? 0) >= 1, 'a dead letter waits, ready, in its own queue');
    assert.ok((first['email.send']?.failed ?? 0) >= 1, 'the failed attempt is counted in its queue');
    assert.equal(first['espn.team-sync']?.policy, 'stately');
    assert.ok((first['espn.team-sync']?.completed ?? 0) >= 1, 'the earlier sync is counted as completed');
    await session.driver.evaluate(`await enqueue('email.send', { type: 'test', userId: '${userId}' }, { startAfter: 3600 })`);
    const second = await stats();
    assert.equal(second['email.send']?.deferred, (first['email.send']?.deferred ?? 0) + 1, 'a job sent to start in an hour is deferred at once');
    assert.equal(second['email.send']?.total, (first['email.send']?.total ?? 0) + 1);
    for (const [name, counts] of Object.entries(second)) {
      assert.equal(counts.queued, counts.ready + counts.deferred + counts.blocked, `${name}: queued = ready + deferred + blocked`);
    }
  });

  test('setLogLevel changes the worker logger, and job log lines follow at once', async () => {
    const completedLines = () => lines.filter((line) => line.msg === 'job completed').length;
    assert.match(await session.driver.evaluate("setLogLevel('warn')"), /'warn'/);
    assert.equal(worker.log.level, 'warn');
    const before = completedLines();
    await session.driver.evaluate(`await runNow('email.send', { type: 'test', userId: '${userId}' })`);
    assert.equal(completedLines(), before, 'no info lines from a job at warn');
    assert.match(await session.driver.evaluate("setLogLevel('debug')"), /'debug'/);
    assert.equal(worker.log.level, 'debug');
    assert.match(await session.driver.evaluate('logLevel()'), /'debug'/);
    await session.driver.evaluate(`await runNow('email.send', { type: 'test', userId: '${userId}' })`);
    assert.equal(completedLines(), before + 1);
    assert.match(await session.driver.evaluate("setLogLevel('loud')"), /unknown level "loud"/);
    await session.driver.evaluate("setLogLevel('info')");
  });

  test('errors thrown later by console code stay in the console', async () => {
    session.driver.write("setTimeout(() => { throw new Error('boom later') }, 10); Promise.reject(new Error('rejected')); 'sent'\n");
    await session.driver.waitFor('boom later');
    await sleep(100);
    assert.match(await session.driver.evaluate('3 + 4'), /7/);
    assert.equal(await health(), 200);
  });

  test('help() lists the helpers', async () => {
    const out = await session.driver.evaluate('help()');
    for (const name of ['enqueue', 'runNow', 'queueStats', 'recentFailures', 'syncHistory', 'obanJobs', 'schemaCheck', 'staging', 'setLogLevel']) assert.ok(out.includes(name), name);
    assert.match(out, /queueStats\(\) +jobs per queue by state, counted now/);
  });

  test('every input is in the audit log, outputs are not', () => {
    const audited = inputsAudited();
    for (const input of ['1 + 1', "await db.selectFrom('team').select('name').execute()", 'JSON.stringify(config)', "await enqueue('espn.team-sync', {})", "setLogLevel('warn')", 'help()']) {
      assert.ok(audited.includes(input), `audited: ${input}`);
    }
    assert.ok(!lines.some((line) => JSON.stringify(line).includes('Mudville Nine') && line.msg === 'repl input'));
    const opened = lines.filter((line) => line.msg === 'console session opened');
    assert.ok(opened.length >= 1);
  });
});

describe('leaving the console never stops the worker', () => {
  test('process.exit() ends the session only', async () => {
    const session = consoleProcess();
    await session.driver.waitFor(PROMPT);
    session.driver.write('process.exit(1)\n');
    assert.equal(await within(session.exited, 'the console to exit'), 0);
    assert.match(session.driver.text, /ends this console session; the worker keeps running/);
    assert.equal(await health(), 200);
  });

  test('process.kill of the worker ends the session only', async () => {
    const session = consoleProcess();
    await session.driver.waitFor(PROMPT);
    assert.match(await session.driver.evaluate('typeof process.memoryUsage().rss'), /'number'/);
    session.driver.write("process.kill(process.pid, 'SIGTERM')\n");
    assert.equal(await within(session.exited, 'the console to exit'), 0);
    assert.match(session.driver.text, /process\.kill\(\) of the worker ends this console session; the worker keeps running/);
    assert.equal(await health(), 200);
    const calls = lines.filter((line) => line.msg === 'console session ended by a call that would stop the worker').map((line) => (line.repl as { call?: string }).call);
    assert.ok(calls.includes('process.kill() of the worker'), `audited: ${calls.join(', ')}`);
  });

  test('a terminal session completes helper names with Tab, and Ctrl-D leaves', async () => {
    const socket = net.connect(socketPath);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(helloLine({ terminal: true, columns: 100 }));
    const driver = new ConsoleDriver(socket, socket);
    await driver.waitFor(PROMPT);
    const from = driver.text.length;
    driver.write('recentFail\t');
    await driver.waitFor('recentFailures', from);
    driver.write('\r');
    await driver.waitFor(/\[Function: recentFailures\]/, from);
    driver.write('\u0004'); // Ctrl-D on an empty line
    await driver.waitForEnd();
    assert.equal(await health(), 200);
    assert.ok(inputsAudited().includes('recentFailures'));
  });

  test('a new session after those works', async () => {
    const session = consoleProcess();
    await session.driver.waitFor(PROMPT);
    assert.match(await session.driver.evaluate("(await queueStats())['email.send'].policy"), /'standard'/);
    session.driver.write('.exit\n');
    assert.equal(await within(session.exited, 'the console to exit'), 0);
  });

  test('the console says so when no worker is listening', async () => {
    const child = startNodeScript('scripts/console.ts', ['--socket', path.join(dir, 'nowhere.sock')], {});
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(stderr, /no worker REPL at .*nowhere\.sock: is the worker running with REPL_ENABLED\?/);
  });
});

describe("a console session never changes the worker's globals", () => {
  const sameWorld = () => {
    assert.equal(globalThis.process, worldBefore.process, 'globalThis.process is the real process');
    assert.equal(globalThis.Buffer, worldBefore.Buffer);
    assert.equal(globalThis.performance, worldBefore.performance);
    // What pg-boss's instance heartbeat calls every 30 s.
    assert.equal(typeof process.hrtime.bigint(), 'bigint');
    assert.equal(typeof process.memoryUsage.rss(), 'number');
  };

  test('1+1 and .exit leave globalThis.process the real process', async () => {
    const session = consoleProcess();
    await session.driver.waitFor(PROMPT);
    assert.match(await session.driver.evaluate('1+1'), /^2\n$/);
    session.driver.write('.exit\n');
    assert.equal(await within(session.exited, 'the console to exit'), 0);
    sameWorld();
  });

  test('assignments to process, Buffer and performance stay in the session, also after .clear', async () => {
    const session = consoleProcess();
    await session.driver.waitFor(PROMPT);
    assert.match(await session.driver.evaluate("process = 'mine'; Buffer = 'mine'; globalThis.performance = 'mine'; [typeof process, Buffer, performance]"), /\[ 'string', 'mine', 'mine' \]/);
    sameWorld();
    await session.driver.evaluate('.clear');
    assert.match(await session.driver.evaluate('typeof process.hrtime.bigint()'), /'bigint'/, 'a fresh context has the real process again');
    assert.match(await session.driver.evaluate("process = 'again'; Buffer = 'again'; typeof help"), /'function'/);
    sameWorld();
    session.driver.write('.exit\n');
    assert.equal(await within(session.exited, 'the console to exit'), 0);
    sameWorld();
  });
});

describe('worker shutdown', () => {
  test('closes open sessions cleanly and removes the socket', async () => {
    const session = consoleProcess();
    await session.driver.waitFor(PROMPT);
    assert.equal(repl.sessionCount(), 1);
    await repl.close();
    assert.equal(await within(session.exited, 'the console to exit'), 0);
    assert.match(session.driver.text, /The worker is shutting down: closing this console session/);
    await assert.rejects(stat(socketPath), { code: 'ENOENT' });
    assert.deepEqual(
      exitFunctions(),
      exitFunctionsBefore,
      'the exit guard is gone with the REPL server',
    );
    await worker.stop();
    assert.ok(lines.some((line) => line.msg === 'console session closed'));
  });
});

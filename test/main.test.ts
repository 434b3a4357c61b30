/**
 * The real process entry, as an orchestrator runs it: bad config stops it with the variable named,
 * a good one starts the worker with /metrics, and SIGTERM stops it with exit code 0.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PgBoss } from 'pg-boss';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { findFreePort } from './support/free-port.ts';
import { runNodeScript, startNodeScript } from './support/spawn-node.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';
import { SHUTDOWN_MARGIN_MS } from '../src/worker.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database.drop();
});

test('a bad variable stops start-up with its name and what was wrong (exit 78)', async () => {
  const result = await runNodeScript('src/main.ts', [], { DATABASE_URL: database.url, HTTP_PORT: 'abc', ESPN_LEAGUE_ID: '-3' });
  assert.equal(result.code, 78);
  assert.equal(
    result.stderr.trim(),
    'ConfigError: 2 problems:\n  HTTP_PORT must be a port number (got "abc")\n  ESPN_LEAGUE_ID must be a positive integer (got "-3")',
  );
});

test('a database it cannot reach is named with the cause once; start-up waits DATABASE_WAIT_MS, then exits 69', async () => {
  const closedPort = await findFreePort();
  const unreachable = `postgres://postgres:hunter2@127.0.0.1:${closedPort}/trademachine`;
  const started = performance.now();
  const refused = await runNodeScript('src/main.ts', [], { DATABASE_URL: unreachable, DATABASE_WAIT_MS: '1200', LOG_FORMAT: 'json' });
  const waitedMs = performance.now() - started;
  assert.equal(refused.code, 69);
  assert.equal(
    refused.stderr.trim(),
    `DatabaseUnreachableError: DATABASE_URL (postgres://postgres:***@127.0.0.1:${closedPort}/trademachine): cannot connect: connect ECONNREFUSED 127.0.0.1:${closedPort} (kept trying for 1 s, DATABASE_WAIT_MS)`,
  );
  assert.ok(waitedMs >= 1000, `kept trying (${Math.round(waitedMs)} ms)`);
  assert.doesNotMatch(refused.stdout + refused.stderr, /hunter2/);
  assert.match(refused.stdout, /database not reachable yet; trying again/);

  const missing = new URL(database.url);
  missing.pathname = '/no_such_database';
  const staging = await runNodeScript('src/main.ts', [], { DATABASE_URL: database.url, STAGING_DATABASE_URL: missing.toString(), DATABASE_WAIT_MS: '0', LOG_FORMAT: 'json' });
  assert.equal(staging.code, 69);
  assert.match(staging.stderr.trim(), /^DatabaseUnreachableError: STAGING_DATABASE_URL \(postgres:\/\/[^)]+\/no_such_database\): cannot connect: database "no_such_database" does not exist$/);
});

test('an HTTP port in use is one line naming HTTP_PORT, not a stack', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  try {
    const result = await runNodeScript('src/main.ts', [], { DATABASE_URL: database.url, HTTP_PORT: String(port), LOG_FORMAT: 'json' });
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim(), `HTTP_PORT ${port} on 127.0.0.1 is already in use: is another worker running? Stop it or set another HTTP_PORT`);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

test('SIGTERM while the database has gone silent: the process still exits within SHUTDOWN_TIMEOUT_MS plus the margin', async (t) => {
  const proxy = await startTcpProxy(database.url);
  const port = await findFreePort();
  const shutdownTimeoutMs = 1000;
  const child = startNodeScript('src/main.ts', [], { DATABASE_URL: proxy.url, HTTP_PORT: String(port), LOG_FORMAT: 'json', DEPLOY_ENV: 'test', SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs) });
  try {
    const reader = createInterface({ input: child.stdout });
    await new Promise<void>((resolve, reject) => {
      reader.on('line', (line) => line.includes('"worker started"') && resolve());
      child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    });
    proxy.stall();
    const signalled = performance.now();
    child.kill('SIGTERM');
    const bound = shutdownTimeoutMs + SHUTDOWN_MARGIN_MS + 700;
    const exited = once(child, 'exit') as Promise<[number | null]>;
    const [code] = await Promise.race([exited, sleep(bound + 5000).then(() => assert.fail(`still running ${bound + 5000} ms after SIGTERM`))]);
    const tookMs = performance.now() - signalled;
    assert.ok(tookMs < bound, `exited after ${Math.round(tookMs)} ms`);
    assert.ok(code === 0 || code === 1, `exit code ${code}`);
    t.diagnostic(`exited ${Math.round(tookMs)} ms after SIGTERM with code ${code}`);
  } finally {
    child.kill('SIGKILL');
    await proxy.close();
  }
});

test('the worker serves /metrics with job outcomes, and SIGTERM stops it cleanly', async () => {
  const port = await findFreePort();
  const child = startNodeScript('src/main.ts', [], { DATABASE_URL: database.url, HTTP_PORT: String(port), LOG_FORMAT: 'json', DEPLOY_ENV: 'test' });
  const lines: Record<string, unknown>[] = [];
  const reader = createInterface({ input: child.stdout });
  const started = new Promise<void>((resolve, reject) => {
    reader.on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry.msg === 'worker started') resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await started;
    // A payload the owner should never send: it must be dead-lettered and counted, not crash anything.
    const boss = new PgBoss({ connectionString: database.url, schema: 'pgboss', supervise: false, schedule: false });
    await boss.start();
    const id = await boss.send('email.send', { type: 'carrier-pigeon' });
    await boss.stop({ graceful: false });
    assert.ok(id);

    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    let text = '';
    for (let tries = 0; tries < 50 && !text.includes('worker_job_runs_total{'); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      text = await (await fetch(metricsUrl)).text();
    }
    assert.match(text, /^worker_job_runs_total\{job_name="email\.send",outcome="dead_lettered"[^}]*\} 1$/m);
    assert.match(text, /^worker_job_duration_bucket\{job_name="email\.send",outcome="dead_lettered"/m);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, `exit code 0 after SIGTERM (stderr: ${stderr})`);
    const messages = lines.map((line) => line.msg);
    assert.ok(messages.includes('signal received') && messages.includes('worker stopped'), `log: ${messages.join(' | ')}`);
    const failure = lines.find((line) => line.msg === 'job failed permanently');
    assert.equal(failure?.job, 'email.send');
    assert.equal(failure?.jobId, id);
    assert.equal(failure?.code, 'INVALID_PAYLOAD');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('breaking schema drift stops start-up with the report (exit 3) before anything starts', async () => {
  const drifted = await createTestDatabase();
  try {
    await drifted.pool.query('ALTER TABLE team DROP COLUMN "espnTeam"');
    const refused = await runNodeScript('src/main.ts', [], { DATABASE_URL: drifted.url, HTTP_PORT: '0', LOG_FORMAT: 'json', REPL_ENABLED: 'false' });
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /SCHEMA_CHECK=warn/);
    assert.match(refused.stderr, /team\."espnTeam"/);
    assert.match(refused.stderr, /missing_column/);
    const jobTable = await drifted.pool.query(`SELECT to_regclass('pgboss.job') AS present`);
    assert.equal(jobTable.rows[0]?.present, null, 'nothing was started: not even the queue schema was created');
  } finally {
    await drifted.drop();
  }
});

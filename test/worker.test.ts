/**
 * The whole worker in this process, on a real database: its HTTP face, the queues it creates from
 * the registry, and what a graceful stop does to running jobs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { z } from 'zod';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { testConfig } from './support/test-config.ts';
import { startWorker, type RunningWorker } from '../src/worker.ts';
import { jobs } from '../src/jobs/index.ts';
import { defineJob } from '../src/jobs/define-job.ts';
import { deadLetterQueueName } from '../src/jobs/queue.ts';

const log = pino({ level: 'silent' });

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('worker with the job registry', () => {
  let database: TestDatabase;
  let worker: RunningWorker;

  before(async () => {
    database = await createTestDatabase();
    worker = await startWorker({ config: testConfig(database.url, { HTTP_PORT: '0' }), log });
  });
  after(async () => {
    await worker.stop();
    await database.drop();
  });

  test('/health answers and /ready reports the queue and every target database', async () => {
    assert.deepEqual(await getJson(`${worker.http.url}/health`), {
      status: 200,
      body: { status: 'ok', discordCommands: { transport: 'off', reason: 'DISCORD_BOT_TOKEN is not set' } },
    });
    const ready = await getJson(`${worker.http.url}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, {
      status: 'ready',
      checks: {
        schema: { ok: true, detail: 'clean' },
        queue: { ok: true, detail: 'started' },
        'database:production': { ok: true, detail: 'schema public' },
        'database:staging': { ok: true, detail: 'schema staging' },
      },
    });
  });

  test('/ready: a staging schema gone under a running worker shows, without taking production out of rotation', async () => {
    await database.db.withSchema('staging').schema.alterTable('oban_jobs').renameTo('oban_jobs_moved').execute();
    try {
      const ready = await getJson(`${worker.http.url}/ready`);
      assert.equal(ready.status, 200);
      assert.deepEqual((ready.body.checks as Record<string, unknown>)['database:staging'], { ok: true, detail: 'schema staging has no owner tables (does not gate readiness)' });
    } finally {
      await database.db.withSchema('staging').schema.alterTable('oban_jobs_moved').renameTo('oban_jobs').execute();
    }
  });

  test('every registered job has its queue and dead-letter queue, with the policy of its definition', async () => {
    for (const definition of jobs) {
      const queue = await worker.boss.getQueue(definition.name);
      assert.ok(queue, `queue ${definition.name} exists`);
      assert.equal(queue.policy, definition.queue.policy ?? 'standard', definition.name);
      assert.equal(queue.deadLetter, deadLetterQueueName(definition.name));
      assert.ok(await worker.boss.getQueue(deadLetterQueueName(definition.name)));
    }
  });

  test('the pg-boss tables live in their own schema, not the owner\'s', async () => {
    const { rows } = await database.pool.query<{ schema: string }>(
      `SELECT DISTINCT table_schema AS schema FROM information_schema.tables WHERE table_name = 'job'`,
    );
    assert.deepEqual(rows, [{ schema: 'pgboss' }]);
  });

  test('unknown paths get a JSON 404', async () => {
    const response = await getJson(`${worker.http.url}/nope`);
    assert.equal(response.status, 404);
  });
});

describe('graceful shutdown', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database.drop();
  });

  const started: string[] = [];
  const slow = defineJob({
    name: 'test.slow',
    description: 'takes a while, ignoring abort',
    payload: z.object({ ms: z.number().int().positive(), label: z.string() }),
    queue: { retryLimit: 3, retryDelaySeconds: 1, expireInSeconds: 3 },
    run: async (payload, ctx) => {
      started.push(`${payload.label}#${ctx.attempt}`);
      await sleep(payload.ms);
      return { label: payload.label, attempt: ctx.attempt };
    },
  });

  async function waitForState(worker: RunningWorker, id: string, state: string, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [job] = await worker.boss.findJobs('test.slow', { id });
      if (job?.state === state) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} is ${job?.state}, not ${state}, after ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  test('a running job finishes before the worker stops', async () => {
    const worker = await startWorker({ config: testConfig(database.url, { HTTP_PORT: '0', SHUTDOWN_TIMEOUT_MS: '10000' }), log, jobs: [slow] });
    const id = await worker.boss.send('test.slow', { ms: 1500, label: 'finishes' });
    assert.ok(id);
    await waitForState(worker, id, 'active', 10_000);
    await worker.stop();
    const check = await startWorker({ config: testConfig(database.url, { HTTP_PORT: '0' }), log, jobs: [] });
    const [job] = await check.boss.findJobs('test.slow', { id });
    await check.stop();
    assert.equal(job?.state, 'completed');
    assert.deepEqual(job?.output, { label: 'finishes', attempt: 1 });
  });

  test('a job cut off by the shutdown timeout is retried later, not lost', async () => {
    const first = await startWorker({ config: testConfig(database.url, { HTTP_PORT: '0', SHUTDOWN_TIMEOUT_MS: '1000' }), log, jobs: [slow] });
    const id = await first.boss.send('test.slow', { ms: 2500, label: 'cut-off' });
    assert.ok(id);
    await waitForState(first, id, 'active', 10_000);
    await first.stop();

    const second = await startWorker({
      config: testConfig(database.url, { HTTP_PORT: '0' }),
      log,
      jobs: [slow],
      queueTuning: { superviseIntervalSeconds: 1, monitorIntervalSeconds: 1 },
    });
    try {
      const job = await waitForState(second, id, 'completed', 30_000);
      assert.equal((job.output as { attempt: number }).attempt, 2, 'completed on its second attempt');
      assert.deepEqual(started.filter((entry) => entry.startsWith('cut-off')), ['cut-off#1', 'cut-off#2']);
    } finally {
      await second.stop();
    }
  });
});

describe('readiness follows the queue\'s database', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  before(async () => {
    database = await createTestDatabase();
    proxy = await startTcpProxy(database.url);
  });
  after(async () => {
    await proxy.close();
    await database.drop();
  });

  test('/ready says the queue is down while its database is, and ready again once it is back', async () => {
    const worker = await startWorker({ config: testConfig(proxy.url, { HTTP_PORT: '0' }), log, jobs: [] });
    try {
      assert.equal((await getJson(`${worker.http.url}/ready`)).status, 200);
      proxy.cut();
      const down = await getJson(`${worker.http.url}/ready`);
      assert.equal(down.status, 503);
      const checks = down.body.checks as Record<string, { ok: boolean; detail?: string }>;
      assert.equal(checks.queue?.ok, false, JSON.stringify(checks));
      assert.equal(checks['database:production']?.ok, false);
      proxy.restore();
      let ready = 0;
      for (let tries = 0; tries < 50 && ready !== 200; tries += 1) {
        await sleep(100);
        ready = (await getJson(`${worker.http.url}/ready`)).status;
      }
      assert.equal(ready, 200, 'ready again');
    } finally {
      proxy.restore();
      await worker.stop();
    }
  });
});

describe('a connection lost while a job holds it', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database.drop();
  });

  test('fails that attempt, which is retried; the process does not crash on the dropped client', async () => {
    let attempts = 0;
    const holder = defineJob({
      name: 'test.holds-connection',
      description: 'keeps a transaction open across a pause',
      payload: z.object({}),
      queue: { retryLimit: 2, retryDelaySeconds: 1 },
      run: async (_payload, ctx) => {
        attempts += 1;
        const attempt = attempts;
        await ctx.targets.get('production').db.transaction().execute(async (trx) => {
          await sql`SELECT set_config('application_name', ${`trademachine-worker:held-${attempt}`}, true)`.execute(trx);
          if (attempt === 1) await sleep(1500);
        });
        return { attempt };
      },
    });
    const worker = await startWorker({ config: testConfig(database.url, { HTTP_PORT: '0' }), log, jobs: [holder] });
    try {
      const id = await worker.boss.send('test.holds-connection', {});
      for (let tries = 0; tries < 50; tries += 1) {
        const { rowCount } = await database.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'trademachine-worker:held-1'`);
        if (rowCount) break;
        await sleep(50);
      }
      let state = '';
      for (let tries = 0; tries < 100 && state !== 'completed'; tries += 1) {
        await sleep(100);
        state = (await worker.boss.findJobs('test.holds-connection', { id: id! }))[0]?.state ?? '';
      }
      assert.equal(state, 'completed', 'retried and completed');
      assert.equal(attempts, 2);
    } finally {
      await worker.stop();
    }
  });
});

describe('a stop keeps its deadline and cuts off blocked jobs', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database.drop();
  });

  const blocked = defineJob({
    name: 'test.blocked-insert',
    description: 'inserts a row into the owner\'s email table, through the job\'s own database view',
    payload: z.object({ messageId: z.string() }),
    queue: { retryLimit: 2, retryDelaySeconds: 60 },
    run: async (payload, ctx) => {
      await ctx.targets.get('production').db.insertInto('email').values({ messageId: payload.messageId, status: 'sent', tradeId: null }).execute();
      return {};
    },
  });

  test('a query waiting on a lock is cancelled before pg-boss hands the job back; nothing lands afterwards', async () => {
    const shutdownTimeoutMs = 2000;
    const worker = await startWorker({ config: testConfig(database.url, { HTTP_PORT: '0', SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs) }), log, jobs: [blocked] });
    const locker = await database.pool.connect();
    let stopMs = 0;
    let id: string | null = null;
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE email IN ACCESS EXCLUSIVE MODE');
      id = await worker.boss.send('test.blocked-insert', { messageId: '<blocked@test>' });
      assert.ok(id);
      for (let tries = 0; tries < 100; tries += 1) {
        const { rows } = await database.pool.query(`SELECT 1 FROM pg_locks WHERE NOT granted AND relation = 'email'::regclass`);
        if (rows.length > 0) break;
        await sleep(50);
      }
      assert.equal(worker.running.count(), 1, 'the job is running, waiting for the lock');
      const started = performance.now();
      await worker.stop();
      stopMs = performance.now() - started;
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    assert.ok(stopMs < shutdownTimeoutMs + 500, `stopped in ${Math.round(stopMs)} ms, bound ${shutdownTimeoutMs} ms`);
    await sleep(300); // had the insert merely been left waiting, it would land now that the lock is gone
    const { rows } = await database.pool.query(`SELECT 1 FROM email WHERE "messageId" = '<blocked@test>'`);
    assert.deepEqual(rows, [], 'the cancelled insert never happened');
    const { rows: jobRows } = await database.pool.query<{ state: string; output: { error?: { code?: string } } }>('SELECT state, output FROM pgboss.job WHERE id = $1', [id]);
    assert.equal(jobRows[0]?.state, 'retry', 'handed back for a retry');
    assert.equal(jobRows[0]?.output.error?.code, 'JOB_ABORTED');
    const { rows: backends } = await database.pool.query(`SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'trademachine-worker%' AND datname = current_database()`);
    assert.deepEqual(backends, [], 'no connection left behind');
  });
});

describe('cron schedules and single-run queues', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database.drop();
  });

  test('schedules come from the definitions, and only when CRON_ENABLED is true', async () => {
    const off = await startWorker({ config: testConfig(database.url, { HTTP_PORT: '0' }), log });
    try {
      assert.deepEqual(await off.boss.getSchedules(), []);
    } finally {
      await off.stop();
    }
    const on = await startWorker({ config: testConfig(database.url, { HTTP_PORT: '0', CRON_ENABLED: 'true' }), log });
    try {
      const schedules = await on.boss.getSchedules();
      // pg-boss lists schedules by name, not in registry order.
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      const expected = jobs.filter((job) => job.cron).map((job) => ({ name: job.name, cron: job.cron?.expression, tz: job.cron?.tz ?? 'UTC' }));
      assert.ok(expected.length > 0, 'some job has a schedule');
      assert.deepEqual(
        schedules.map((schedule) => ({ name: schedule.name, cron: schedule.cron, tz: schedule.options?.tz })).sort(byName),
        expected.sort(byName),
      );
    } finally {
      await on.stop();
    }
  });

  test('a stately job never runs twice at once, even with two worker processes', async () => {
    const runs: { start: number; end: number }[] = [];
    const exclusive = defineJob({
      name: 'test.exclusive',
      description: 'records when it runs',
      payload: z.object({}),
      queue: { policy: 'stately', localConcurrency: 2 },
      run: async () => {
        const start = Date.now();
        await sleep(700);
        runs.push({ start, end: Date.now() });
        return {};
      },
    });
    const first = await startWorker({ config: testConfig(database.url, { HTTP_PORT: '0' }), log, jobs: [exclusive] });
    const second = await startWorker({ config: testConfig(database.url, { HTTP_PORT: '0' }), log, jobs: [exclusive] });
    try {
      const a = await first.boss.send('test.exclusive', {});
      assert.ok(a);
      for (let tries = 0; tries < 100; tries += 1) {
        const [job] = await first.boss.findJobs('test.exclusive', { id: a });
        if (job?.state === 'active') break;
        await sleep(50);
      }
      const b = await second.boss.send('test.exclusive', {});
      const c = await second.boss.send('test.exclusive', {});
      assert.ok(b, 'one more may wait while one runs');
      assert.equal(c, null, 'a third is refused while one runs and one waits');
      for (let tries = 0; tries < 200 && runs.length < 2; tries += 1) await sleep(50);
      assert.equal(runs.length, 2);
      const [one, two] = [...runs].sort((x, y) => x.start - y.start);
      assert.ok(one && two && two.start >= one.end, `runs overlapped: ${JSON.stringify(runs)}`);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });
});

describe('a staging schema the database does not have', () => {
  let database: TestDatabase;

  before(async () => {
    database = await createTestDatabase();
    await sql`DROP SCHEMA staging CASCADE`.execute(database.db);
  });
  after(async () => {
    await database.drop();
  });

  test('start-up stops with which target, which schema, and the variables that move or turn off staging', async () => {
    await assert.rejects(startWorker({ config: testConfig(database.url, { HTTP_PORT: '0' }), log, jobs: [] }), {
      name: 'SchemaCheckError',
      code: 'SCHEMA_NOT_FOUND',
      message:
        'the staging target: schema "staging" does not exist in this database; set STAGING_SCHEMA (and STAGING_DATABASE_URL) to where the owner keeps staging, or STAGING_ENABLED=false if this deployment has no staging',
    });
  });

  test('with STAGING_ENABLED=false it starts, production only', async () => {
    const worker = await startWorker({ config: testConfig(database.url, { HTTP_PORT: '0', STAGING_ENABLED: 'false' }), log, jobs: [] });
    try {
      assert.deepEqual(worker.targets.all.map((target) => [target.name, target.schema]), [['production', 'public']]);
      const ready = await getJson(`${worker.http.url}/ready`);
      assert.equal(ready.status, 200);
      assert.equal((ready.body.checks as Record<string, unknown>)['database:staging'], undefined);
    } finally {
      await worker.stop();
    }
  });
});

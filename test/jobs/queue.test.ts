/**
 * The queue adapter against a real pg-boss in a real database: each job outcome must land where
 * the design says (completed, retried with its checkpoint, dead-lettered at once, snoozed), and a
 * bad payload must never stop the worker.
 */
import { after, before, describe, test } from 'node:test';
import { testSideEffects } from './../support/side-effects.ts';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { z } from 'zod';
import type { PgBoss, JobWithMetadata } from 'pg-boss';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testConfig } from '../support/test-config.ts';
import { openTargets, type Targets } from '../../src/db/targets.ts';
import { createClients, type Clients } from '../../src/jobs/clients.ts';
import { defineJob } from '../../src/jobs/define-job.ts';
import { PermanentJobError, RetryableJobError, SnoozeJob } from '../../src/jobs/outcomes.ts';
import { createBoss, deadLetterQueueName, ensureQueues, startWorkers } from '../../src/jobs/queue.ts';
import { enqueue } from '../../src/client/enqueue.ts';

const log = pino({ level: 'silent' });

/** Polls until the job reaches a settled state, or fails the test after `timeoutMs`. */
async function waitForJob(boss: PgBoss, queue: string, id: string, states: string[], timeoutMs = 15_000): Promise<JobWithMetadata<unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [job] = await boss.findJobs(queue, { id });
    if (job && states.includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} on ${queue} is ${job?.state ?? 'missing'}, not ${states.join('/')} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function waitForDeadLetter(boss: PgBoss, queue: string, sourceId: string): Promise<JobWithMetadata<unknown>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const jobs = await boss.findJobs(deadLetterQueueName(queue));
    const dead = jobs.find((job) => job.sourceId === sourceId);
    if (dead) return dead;
    if (Date.now() > deadline) throw new Error(`job ${sourceId} never reached ${deadLetterQueueName(queue)}`);
    await sleep(100);
  }
}

describe('queue adapter', () => {
  let database: TestDatabase;
  let boss: PgBoss;
  let targets: Targets;
  let clients: Clients;
  const seen: { job: string; attempt: number; checkpoint: unknown }[] = [];

  const echo = defineJob({
    name: 'test.echo',
    description: 'returns its payload',
    payload: z.object({ word: z.string().min(1), count: z.number().int().positive().default(1) }).strict(),
    queue: { retryLimit: 2, retryDelaySeconds: 1 },
    run: async (payload) => ({ echoed: payload.word.repeat(payload.count) }),
  });
  const flaky = defineJob({
    name: 'test.flaky',
    description: 'fails its first attempt after saving a checkpoint',
    payload: z.object({ key: z.string() }),
    queue: { retryLimit: 2, retryDelaySeconds: 1 },
    run: async (payload, ctx) => {
      seen.push({ job: payload.key, attempt: ctx.attempt, checkpoint: ctx.checkpoint.previous });
      if (ctx.attempt === 1) {
        ctx.checkpoint.save({ sentMessageId: 'msg-1' });
        throw new RetryableJobError('UPSTREAM_DOWN', 'upstream answered 503');
      }
      return { attempt: ctx.attempt };
    },
  });
  const refused = defineJob({
    name: 'test.refused',
    description: 'always fails permanently',
    payload: z.object({}),
    queue: { retryLimit: 5, retryDelaySeconds: 1 },
    run: async () => {
      throw new PermanentJobError('UPSTREAM_UNAUTHORIZED', 'upstream said 401', { cause: new Error('401 body') });
    },
  });
  const broken = defineJob({
    name: 'test.broken',
    description: 'always throws a plain error',
    payload: z.object({}),
    queue: { retryLimit: 1, retryDelaySeconds: 1, retryDelayMaxSeconds: 1 },
    run: async () => {
      throw new Error('boom');
    },
  });
  const sleepy = defineJob({
    name: 'test.sleepy',
    description: 'snoozes once',
    payload: z.object({ snoozed: z.boolean().default(false) }),
    queue: {},
    run: async (payload) => {
      if (!payload.snoozed) throw new SnoozeJob(30, 'upstream asked us to wait');
      return {};
    },
  });
  const definitions = [echo, flaky, refused, broken, sleepy];

  before(async () => {
    database = await createTestDatabase();
    const config = testConfig(database.url);
    targets = openTargets(config.targets, 2);
    clients = createClients(config, log);
    boss = createBoss({ connectionString: database.url, schema: 'pgboss', cronEnabled: false }, log);
    await boss.start();
    await ensureQueues(boss, definitions, log);
    await startWorkers(boss, definitions, { config, targets, clients, log, sideEffects: testSideEffects(targets.get('production').pool) });
  });

  after(async () => {
    await boss.stop({ graceful: false, close: true });
    await clients.close();
    await targets.destroy();
    await database.drop();
  });

  test('creates each queue with its policy, retries and a dead-letter queue', async () => {
    const queue = await boss.getQueue('test.flaky');
    assert.ok(queue);
    assert.equal(queue.retryLimit, 2);
    assert.equal(queue.retryBackoff, true);
    assert.equal(queue.deadLetter, 'test.flaky.dead');
    assert.ok(await boss.getQueue('test.flaky.dead'));
  });

  test('a valid job completes with its result stored', async () => {
    const id = await boss.send('test.echo', { word: 'ab', count: 2 });
    assert.ok(id);
    const job = await waitForJob(boss, 'test.echo', id, ['completed', 'failed']);
    assert.equal(job.state, 'completed');
    assert.deepEqual(job.output, { echoed: 'abab' });
  });

  test('an invalid payload is dead-lettered at once, naming the field, and the worker keeps going', async () => {
    const badId = await boss.send('test.echo', { word: '', extra: true });
    assert.ok(badId);
    const failed = await waitForJob(boss, 'test.echo', badId, ['failed', 'completed']);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.retryCount, 0, 'a bad payload must not be retried');
    const dead = await waitForDeadLetter(boss, 'test.echo', badId);
    assert.deepEqual(dead.data, { word: '', extra: true }, 'the payload is kept as it was sent');
    const error = (dead.sourceOutput as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'INVALID_PAYLOAD');
    assert.match(error.message, /test\.echo\.word: /);
    assert.match(error.message, /Unrecognized key: "extra"/);

    const goodId = await boss.send('test.echo', { word: 'still-working' });
    assert.ok(goodId);
    assert.equal((await waitForJob(boss, 'test.echo', goodId, ['completed', 'failed'])).state, 'completed');
  });

  test('a retryable failure is retried, and the next attempt gets the checkpoint', async () => {
    const id = await boss.send('test.flaky', { key: 'checkpoint-case' });
    assert.ok(id);
    const job = await waitForJob(boss, 'test.flaky', id, ['completed', 'failed'], 20_000);
    assert.equal(job.state, 'completed');
    assert.deepEqual(job.output, { attempt: 2 });
    const attempts = seen.filter((entry) => entry.job === 'checkpoint-case');
    assert.deepEqual(attempts, [
      { job: 'checkpoint-case', attempt: 1, checkpoint: undefined },
      { job: 'checkpoint-case', attempt: 2, checkpoint: { sentMessageId: 'msg-1' } },
    ]);
  });

  test('a permanent failure skips the remaining retries and keeps its error in the dead-letter queue', async () => {
    const id = await boss.send('test.refused', {});
    assert.ok(id);
    const dead = await waitForDeadLetter(boss, 'test.refused', id);
    assert.equal(dead.sourceRetryCount, 0);
    const error = (dead.sourceOutput as { error: { code: string; message: string; causes: string[] } }).error;
    assert.equal(error.code, 'UPSTREAM_UNAUTHORIZED');
    assert.equal(error.message, 'upstream said 401');
    assert.deepEqual(error.causes, ['Error: 401 body']);
  });

  test('a job that keeps failing is dead-lettered once its retries are spent', async () => {
    const id = await boss.send('test.broken', {});
    assert.ok(id);
    const dead = await waitForDeadLetter(boss, 'test.broken', id);
    assert.equal(dead.sourceRetryCount, 1);
    assert.equal((dead.sourceOutput as { error: { code: string } }).error.code, 'UNEXPECTED');
  });

  test('a snoozed job completes and comes back later without spending an attempt', async () => {
    const id = await boss.send('test.sleepy', {});
    assert.ok(id);
    const job = await waitForJob(boss, 'test.sleepy', id, ['completed', 'failed']);
    assert.equal(job.state, 'completed');
    const queued = (await boss.findJobs('test.sleepy', { queued: true })).filter((candidate) => candidate.id !== id);
    assert.deepEqual(job.output, { snoozedForSeconds: 30, reason: 'upstream asked us to wait', snoozedAs: queued[0]?.id }, 'the output names the job that carries on');
    assert.equal(queued.length, 1);
    const later = queued[0]!;
    assert.equal(later.retryCount, 0);
    const waitSeconds = (later.startAfter.getTime() - Date.now()) / 1000;
    assert.ok(waitSeconds > 20 && waitSeconds <= 31, `snoozed job starts in ${waitSeconds}s, expected about 30`);
  });

  test('enqueue refuses a bad payload before it reaches the queue', async () => {
    await assert.rejects(
      enqueue(boss, 'email.send', { type: 'test' } as never),
      (error: Error) => error.name === 'PayloadError' && /email\.send\./.test(error.message),
    );
    const queued = await boss.findJobs('email.send', { queued: true }).catch(() => []);
    assert.equal(queued.length, 0);
  });
});

/**
 * Payloads are refused with a message that says what was wrong and where, before any work: not a
 * JSON object, null where a job needs fields, or over the size limit (at enqueue and at run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { enqueue } from '../../src/client/enqueue.ts';
import { openTargets } from '../../src/db/targets.ts';
import { createClients } from '../../src/jobs/clients.ts';
import { sendEmail } from '../../src/jobs/email/send-email.ts';
import { teamSync } from '../../src/jobs/espn/team-sync.ts';
import { PayloadError } from '../../src/jobs/outcomes.ts';
import { parsePayload, payloadDefaults } from '../../src/jobs/payload.ts';
import { executeJob, runJobInline } from '../../src/jobs/runner.ts';
import { defineJob } from '../../src/jobs/define-job.ts';
import { z } from 'zod';
import { testSideEffects } from '../support/side-effects.ts';
import { testConfig } from '../support/test-config.ts';

const userId = '11111111-1111-4111-8111-111111111111';

function payloadError(work: () => unknown): PayloadError {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof PayloadError, `a PayloadError, got ${String(error)}`);
    return error;
  }
  assert.fail('the payload was accepted');
}

test('null where fields are needed says null, not a schema internal', () => {
  const error = payloadError(() => parsePayload(sendEmail, null));
  assert.equal(error.message, 'email.send: the payload is null; expected a JSON object with its fields');
  assert.doesNotMatch(error.message, /discriminator/i);
});

test('a job that needs no fields takes a missing or null payload as {}', () => {
  assert.deepEqual(parsePayload(teamSync, null), parsePayload(teamSync, {}));
  assert.deepEqual(parsePayload(teamSync, undefined), parsePayload(teamSync, {}));
});

test('anything but a JSON object is refused by its kind', () => {
  assert.equal(payloadError(() => parsePayload(sendEmail, [1, 2])).message, 'email.send: the payload must be a JSON object (got an array)');
  assert.equal(payloadError(() => parsePayload(teamSync, 'both')).message, 'espn.team-sync: the payload must be a JSON object (got a string)');
});

test('a payload over the limit is refused with its size, at enqueue, before the queue is touched', async () => {
  const huge = { type: 'test', userId, padding: 'x'.repeat(payloadDefaults.maxBytes) };
  const error = payloadError(() => parsePayload(sendEmail, huge));
  assert.match(error.message, /^email\.send: the payload is \d+ bytes of JSON, over the limit of 262144/);
  // No queue at all: validation must refuse it before enqueue reaches for one.
  await assert.rejects(enqueue(undefined as never, 'email.send', huge as never), (thrown: unknown) => thrown instanceof PayloadError && /over the limit/.test(thrown.message));
});

test('at run, MAX_PAYLOAD_BYTES applies and the job is dead-lettered with that error', async () => {
  const config = testConfig('postgres://nobody@127.0.0.1:1/none', { MAX_PAYLOAD_BYTES: '100' });
  const log = pino({ level: 'silent' });
  const targets = openTargets(config.targets, 1);
  const clients = createClients(config, log);
  try {
    const outcome = await executeJob(sendEmail, { type: 'test', userId, note: 'y'.repeat(200) }, { config, targets, clients, log, sideEffects: testSideEffects(targets.get('production').pool) }, {
      id: 'too-big',
      attempt: 1,
      signal: new AbortController().signal,
    });
    assert.ok(outcome.kind === 'failed' && !outcome.retryable, 'permanent');
    assert.match(String((outcome.error as Error).message), /over the limit of 100/);
  } finally {
    await Promise.all([clients.close(), targets.destroy()]);
  }
});

const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

test('the envelope (traceContext, obanJob) is split off, checked on its own and kept on the parsed payload', () => {
  const parsed = parsePayload(teamSync, { databaseScope: 'both', traceContext: { traceparent, tracestate: 'tm=1' }, obanJob: { target: 'staging', id: 7 } });
  assert.deepEqual(parsed, { databaseScope: 'both', traceContext: { traceparent, tracestate: 'tm=1' }, obanJob: { target: 'staging', id: 7 } });
  assert.deepEqual(parsePayload(teamSync, {}), { databaseScope: 'production' }, 'no envelope, no keys');
  // A strict schema with a discriminated union still takes the envelope.
  const email = parsePayload(sendEmail, { type: 'test', userId, traceContext: { traceparent } });
  assert.deepEqual(email.traceContext, { traceparent });
});

test('a bad envelope is refused with the field named, alongside the job fields\' problems', () => {
  assert.equal(
    payloadError(() => parsePayload(teamSync, { obanJob: { target: 'qa', id: 0 }, databaseScope: 'nowhere' })).message.split('; ').map((part) => part.split(':')[0]).join(', '),
    'espn.team-sync.obanJob.target, espn.team-sync.obanJob.id, espn.team-sync.databaseScope',
  );
  assert.match(payloadError(() => parsePayload(sendEmail, { type: 'test', userId, traceContext: {} })).message, /^email\.send\.traceContext\.traceparent: /);
  assert.match(payloadError(() => parsePayload(sendEmail, { type: 'test', userId, traceContext: { traceparent, extra: 1 } })).message, /^email\.send\.traceContext: /);
});

test("at run the job's `run` never sees the envelope: obanJob is ctx.obanJob, and a traceparent that does not validate is ignored, not fatal", async () => {
  const seen: { payload: unknown; obanJob: unknown }[] = [];
  const probe = defineJob({
    name: 'test.envelope-probe',
    description: 'records what run gets',
    payload: z.object({ word: z.string() }).strict(),
    queue: {},
    run: async (payload, ctx) => {
      seen.push({ payload, obanJob: ctx.obanJob });
      return {};
    },
  });
  const config = testConfig('postgres://nobody@127.0.0.1:1/none');
  const log = pino({ level: 'silent' });
  const targets = openTargets(config.targets, 1);
  const clients = createClients(config, log);
  try {
    const deps = { config, targets, clients, log, sideEffects: testSideEffects(targets.get('production').pool) };
    await runJobInline(probe, { word: 'hi', obanJob: { target: 'production', id: 12 }, traceContext: { traceparent } }, deps);
    await runJobInline(probe, { word: 'ho', traceContext: { traceparent: 'garbage' } }, deps);
    assert.deepEqual(seen, [
      { payload: { word: 'hi' }, obanJob: { target: 'production', id: 12 } },
      { payload: { word: 'ho' }, obanJob: undefined },
    ]);
  } finally {
    await Promise.all([clients.close(), targets.destroy()]);
  }
});

/**
 * The JSON Schemas non-TypeScript callers use must be current and must agree with the zod schemas
 * the worker validates with: a payload one accepts, the other accepts too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { jobs } from '../../src/jobs/index.ts';
import { payloadJsonSchemas, renderPayloadJsonSchemas } from '../../src/client/payload-json-schemas.ts';
import { parsePayload } from '../../src/jobs/payload.ts';
import type { JobDefinition } from '../../src/jobs/define-job.ts';
import type { z } from 'zod';

const committedPath = path.resolve(import.meta.dirname, '../../schemas/job-payloads.schema.json');
const userId = '6f1c2a7e-0000-4000-8000-000000000001';
const tradeId = '6f1c2a7e-0000-4000-8000-000000000002';

/** Payloads worth a verdict, valid and not, per job. */
const samples: Record<string, unknown[]> = {
  'espn.team-sync': [{}, { databaseScope: 'both' }, { databaseScope: 'everywhere' }, { extra: 1 }, [], 'x'],
  'espn.players-sync': [{}, { databaseScope: 'staging' }, { databaseScope: 'everywhere' }, { extra: 1 }, [], 'x'],
  'sheets.minors-sync': [{}, { databaseScope: 'both' }, { databaseScope: 'nowhere' }, { sheetId: 'x' }, null],
  'sheets.draft-picks-sync': [{}, { databaseScope: 'production' }, { databaseScope: 1 }, { season: 2026 }, 7],
  'email.status': [
    { messageId: '<abc@mail.example>', event: 'delivered' },
    { messageId: '<abc@mail.example>', event: 'opened', target: 'staging', provider: 'brevo', occurredAt: '2026-05-01T10:00:00Z' },
    { messageId: '', event: 'delivered' },
    { messageId: 'x', event: 'delivered', provider: 'sendgrid' },
    { event: 'delivered' },
  ],
  'discord.trade-announcement': [{ tradeId }, { tradeId, target: 'staging' }, { tradeId: 'nope' }, { tradeId, channel: '1' }, {}],
  'discord.trade-dm': [
    { kind: 'request', tradeId, recipientUserId: userId, acceptUrl: 'http://localhost:3000/a', declineUrl: 'http://localhost:3000/d' },
    { kind: 'request', tradeId, recipientUserId: userId, acceptUrl: 'http://localhost:3000/a' },
    { kind: 'submit', tradeId, recipientUserId: userId, submitUrl: 'http://localhost:3000/s', notificationSettingsUrl: 'http://localhost:3000/dashboard' },
    { kind: 'declined', tradeId, recipientUserId: userId, isCreator: true },
    { kind: 'declined', tradeId, recipientUserId: userId, isCreator: 'yes' },
    { kind: 'shout', tradeId, recipientUserId: userId },
  ],
  'email.send': [
    { type: 'test', userId },
    { type: 'test', userId: 'nope' },
    { type: 'password_reset', userId, resetUrl: 'http://localhost:3000/reset?token=abc' },
    { type: 'password_reset', userId },
    { type: 'trade_request', tradeId, recipientUserId: userId, acceptUrl: 'http://localhost:3000/a', declineUrl: 'http://localhost:3000/d' },
    { type: 'trade_declined', tradeId },
    { type: 'carrier-pigeon', userId },
    { type: 'test', userId, target: 'staging' },
    { type: 'test', userId, target: 'mars' },
    { type: 'test', userId, unexpected: true },
  ],
};

test('schemas/job-payloads.schema.json is current (else run "npm run payload:schemas")', async () => {
  assert.equal(await readFile(committedPath, 'utf8'), renderPayloadJsonSchemas());
});

test('a JSON Schema validator and zod give the same verdict on every sample payload', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const schemas = payloadJsonSchemas();
  for (const job of jobs) {
    const validate = ajv.compile(schemas[job.name] as object);
    const jobSamples = samples[job.name];
    assert.ok(jobSamples && jobSamples.length > 0, `samples for ${job.name}`);
    let accepted = 0;
    for (const payload of jobSamples) {
      const byZod = job.payload.safeParse(payload).success;
      assert.equal(validate(payload), byZod, `${job.name} ${JSON.stringify(payload)}: zod says ${byZod}`);
      if (byZod) accepted += 1;
    }
    assert.ok(accepted > 0 && accepted < jobSamples.length, `${job.name} samples include both verdicts`);
  }
});

test('every job\'s JSON Schema takes the envelope (traceContext, obanJob) and agrees with parsePayload on it', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const schemas = payloadJsonSchemas();
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const envelopes: [Record<string, unknown>, boolean][] = [
    [{ traceContext: { traceparent } }, true],
    [{ traceContext: { traceparent, tracestate: 'tm=1' }, obanJob: { target: 'staging', id: 3 } }, true],
    [{ traceContext: { traceparent: 'nope' } }, false],
    [{ traceContext: { traceparent: `00-${'0'.repeat(32)}-b7ad6b7169203331-01` } }, false],
    [{ traceContext: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01' } }, false],
    [{ obanJob: { target: 'production', id: -1 } }, false],
    [{ obanJob: { target: 'qa', id: 1 } }, false],
  ];
  for (const job of jobs as readonly JobDefinition<z.ZodType, unknown>[]) {
    const validate = ajv.compile(schemas[job.name] as object);
    const valid = samples[job.name]?.find((payload) => job.payload.safeParse(payload).success) as Record<string, unknown> | undefined;
    assert.ok(valid, `a valid sample for ${job.name}`);
    for (const [envelope, expected] of envelopes) {
      const payload: Record<string, unknown> = { ...valid, ...envelope };
      const byParse = (() => {
        try {
          parsePayload(job, payload);
          return true;
        } catch {
          return false;
        }
      })();
      assert.equal(byParse, expected, `${job.name} ${JSON.stringify(envelope)} by parsePayload`);
      assert.equal(validate(payload), expected, `${job.name} ${JSON.stringify(envelope)} by the JSON Schema`);
    }
  }
});

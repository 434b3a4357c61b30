/**
 * Without OTEL_EXPORTER_OTLP_ENDPOINT nothing leaves the process, not even to the OTLP default
 * (127.0.0.1:4318, where an SDK left to its defaults would send), yet every job still has a trace
 * id, in its context and its log lines. A process of its own: the OpenTelemetry API is global.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { loadConfig } from '../../src/config.ts';
import { openTargets, type Targets } from '../../src/db/targets.ts';
import { createClients, type Clients } from '../../src/jobs/clients.ts';
import { defineJob } from '../../src/jobs/define-job.ts';
import { runJobInline, type RunnerDeps } from '../../src/jobs/runner.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { startTelemetry, type Telemetry } from '../../src/telemetry/telemetry.ts';
import { startFakeOtlpCollector, type FakeOtlpCollector } from '../support/fake-otlp-collector.ts';
import { testSideEffects } from '../support/side-effects.ts';

const OTLP_DEFAULT_PORT = 4318;

let collector: FakeOtlpCollector | undefined;
let telemetry: Telemetry;
let targets: Targets;
let clients: Clients;
let deps: RunnerDeps;
const logLines: Record<string, unknown>[] = [];

const probe = defineJob({
  name: 'test.untraced-probe',
  description: 'returns its trace id',
  payload: z.object({}).strict(),
  queue: {},
  run: async (_payload, ctx) => ({ traceId: ctx.traceId }),
});

before(async () => {
  collector = await startFakeOtlpCollector(OTLP_DEFAULT_PORT).catch(() => undefined);
  const config = loadConfig({ DEPLOY_ENV: 'test', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
  assert.equal(config.tracing.exporter, undefined);
  telemetry = startTelemetry(config.tracing);
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger(config.log, { destination: capture });
  targets = openTargets(config.targets, 1);
  clients = createClients(config, log);
  deps = { config, targets, clients, log, sideEffects: testSideEffects(targets.get('production').pool) };
});

after(async () => {
  await Promise.all([clients?.close(), targets?.destroy()]);
  await collector?.close();
});

test('with no endpoint, jobs get trace ids (context and log lines) and nothing is exported, even on shutdown', async (t) => {
  const { traceId } = await runJobInline(probe, {}, deps, { id: 'untraced-1' });
  assert.match(traceId ?? '', /^[0-9a-f]{32}$/);
  const lines = logLines.filter((line) => line.jobId === 'untraced-1');
  assert.ok(lines.length >= 2, 'start and outcome lines');
  for (const line of lines) {
    assert.equal(line.traceId, traceId);
    assert.match(String(line.spanId), /^[0-9a-f]{16}$/);
  }
  await telemetry.flushTraces();
  await telemetry.shutdown();
  await sleep(200);
  if (!collector) {
    t.skip(`port ${OTLP_DEFAULT_PORT} is taken on this machine: could not listen where a default exporter would send`);
    return;
  }
  assert.deepEqual(collector.exports, [], 'nothing reached the OTLP default address');
});

/**
 * The default protocol, http/protobuf, reaches the traces endpoint as given (used as-is), with the
 * configured headers; and the parent-based ratio sampler keeps a caller's sampled trace at ratio 0
 * while dropping new ones, whose trace ids still reach the job. A process of its own: the global
 * OpenTelemetry API is registered once per process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { z } from 'zod';
import { loadConfig, type Config } from '../../src/config.ts';
import { openTargets, type Targets } from '../../src/db/targets.ts';
import { createClients, type Clients } from '../../src/jobs/clients.ts';
import { defineJob } from '../../src/jobs/define-job.ts';
import { runJobInline, type RunnerDeps } from '../../src/jobs/runner.ts';
import { startTelemetry, type Telemetry } from '../../src/telemetry/telemetry.ts';
import { startFakeOtlpCollector, type FakeOtlpCollector } from '../support/fake-otlp-collector.ts';
import { testSideEffects } from '../support/side-effects.ts';

let collector: FakeOtlpCollector;
let telemetry: Telemetry;
let config: Config;
let targets: Targets;
let clients: Clients;
let deps: RunnerDeps;
let shutDown = false;

const probe = defineJob({
  name: 'test.proto-probe',
  description: 'returns its trace id',
  payload: z.object({ mark: z.string() }).strict(),
  queue: {},
  run: async (_payload, ctx) => ({ traceId: ctx.traceId }),
});

before(async () => {
  collector = await startFakeOtlpCollector();
  config = loadConfig({
    DEPLOY_ENV: 'test',
    DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    LOG_LEVEL: 'silent',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.endpoint}/custom/traces`,
    OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=k%20v',
    OTEL_TRACES_SAMPLER_ARG: '0',
  });
  telemetry = startTelemetry(config.tracing);
  const log = pino({ level: 'silent' });
  targets = openTargets(config.targets, 1);
  clients = createClients(config, log);
  deps = { config, targets, clients, log, sideEffects: testSideEffects(targets.get('production').pool) };
});

after(async () => {
  if (!shutDown) await telemetry?.shutdown();
  await Promise.all([clients?.close(), targets?.destroy()]);
  await collector?.close();
});

test('http/protobuf reaches the traces endpoint as-is with the headers; at ratio 0 only the caller-sampled trace is kept', async () => {
  const sampledTrace = randomBytes(16);
  const sampled = await runJobInline(probe, { mark: 'kept-by-parent', traceContext: { traceparent: `00-${sampledTrace.toString('hex')}-${randomBytes(8).toString('hex')}-01` } }, deps);
  const dropped = await runJobInline(probe, { mark: 'new-trace' }, deps);
  assert.equal(sampled.traceId, sampledTrace.toString('hex'));
  assert.match(dropped.traceId ?? '', /^[0-9a-f]{32}$/, 'a trace id even for a trace the sampler dropped');
  await telemetry.flushTraces();

  assert.equal(collector.exports.length, 1, 'one export');
  const [received] = collector.exports;
  assert.ok(received);
  assert.equal(received.path, '/custom/traces', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as-is');
  assert.equal(received.headers['content-type'], 'application/x-protobuf');
  assert.equal(received.headers['x-collector-key'], 'k v', 'OTEL_EXPORTER_OTLP_HEADERS, URL-decoded');
  // Protobuf carries ids as raw bytes and names as UTF-8: enough to tell which spans came.
  assert.ok(received.body.includes(Buffer.from('job test.proto-probe')), 'the job span');
  assert.ok(received.body.includes(sampledTrace), 'the caller-sampled trace');
  assert.ok(!received.body.includes(Buffer.from(dropped.traceId ?? '', 'hex')), 'not the new trace, at ratio 0');
});

test('spans still buffered are exported on shutdown', async () => {
  const before = collector.exports.length;
  const traceId = randomBytes(16);
  await runJobInline(probe, { mark: 'at-shutdown', traceContext: { traceparent: `00-${traceId.toString('hex')}-${randomBytes(8).toString('hex')}-01` } }, deps);
  assert.equal(collector.exports.length, before, 'batched, not sent yet');
  await telemetry.shutdown();
  shutDown = true;
  assert.ok(collector.exports.slice(before).some((received) => received.body.includes(traceId)), 'sent by shutdown');
});

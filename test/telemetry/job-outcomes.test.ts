/**
 * The runner labels every attempt with what happened and what the queue does next, from the
 * attempt info the queue adapter hands it: retried while retries are left, dead_lettered when none
 * are or the error is permanent, cancelled when stopped from outside, failed when no queue decides.
 */
import { after, before, test } from 'node:test';
import { testSideEffects } from './../support/side-effects.ts';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { z } from 'zod';
import { openTargets } from '../../src/db/targets.ts';
import { createClients } from '../../src/jobs/clients.ts';
import { defineJob } from '../../src/jobs/define-job.ts';
import { PermanentJobError, SnoozeJob } from '../../src/jobs/outcomes.ts';
import { executeJob, type JobAttemptInfo, type RunnerDeps } from '../../src/jobs/runner.ts';
import { startTelemetry, type Telemetry } from '../../src/telemetry/telemetry.ts';
import { testConfig } from '../support/test-config.ts';
import { parseSamples } from './prometheus-text.ts';

const behaviour = z.enum(['complete', 'fail', 'permanent', 'snooze']);
const probe = defineJob({
  name: 'test.outcome-probe',
  description: 'Ends the way its payload says',
  payload: z.object({ end: behaviour }).strict(),
  queue: {},
  async run({ end }) {
    if (end === 'fail') throw new Error('upstream hiccup');
    if (end === 'permanent') throw new PermanentJobError('TEST_PERMANENT', 'never works');
    if (end === 'snooze') throw new SnoozeJob(60, 'later');
    return { ok: true };
  },
});

let telemetry: Telemetry;
let server: Server;
let deps: RunnerDeps & { close(): Promise<void> };

before(async () => {
  telemetry = startTelemetry();
  server = createServer((request, response) => telemetry.handleMetrics(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Never connects: the probe touches no database and no upstream.
  const config = testConfig('postgres://nobody@127.0.0.1:1/none');
  const targets = openTargets(config.targets, 1);
  const clients = createClients(config, pino({ level: 'silent' }));
  deps = { config, targets, clients, log: pino({ level: 'silent' }), sideEffects: testSideEffects(targets.get('production').pool), close: async () => Promise.all([clients.close(), targets.destroy()]).then(() => undefined) };
});
after(async () => {
  await deps.close();
  server.close();
  await telemetry.shutdown();
});

async function runs(): Promise<Record<string, number>> {
  const { port } = server.address() as AddressInfo;
  const samples = parseSamples(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
  return Object.fromEntries(
    samples
      .filter((sample) => sample.name === 'worker_job_runs_total' && sample.labels.job_name === probe.name)
      .map((sample) => [sample.labels.outcome ?? '', sample.value]),
  );
}

function attempt(overrides: Partial<JobAttemptInfo> = {}): JobAttemptInfo {
  return { id: 'probe', attempt: 1, signal: new AbortController().signal, ...overrides };
}

test('each way an attempt can end has its own outcome label', async () => {
  await executeJob(probe, { end: 'complete' }, deps, attempt({ retriesLeft: 3, waitMs: 120 }));
  await executeJob(probe, { end: 'fail' }, deps, attempt({ retriesLeft: 3 }));
  await executeJob(probe, { end: 'fail' }, deps, attempt({ retriesLeft: 1 }));
  await executeJob(probe, { end: 'fail' }, deps, attempt({ retriesLeft: 0 }));
  await executeJob(probe, { end: 'permanent' }, deps, attempt({ retriesLeft: 3 }));
  await executeJob(probe, { end: 'nonsense' }, deps, attempt({ retriesLeft: 3 }));
  await executeJob(probe, { end: 'snooze' }, deps, attempt({ retriesLeft: 3 }));
  await executeJob(probe, { end: 'fail' }, deps, attempt({ retriesLeft: 3, signal: AbortSignal.abort() }));
  await executeJob(probe, { end: 'fail' }, deps, attempt());
  assert.deepEqual(await runs(), { completed: 1, retried: 2, dead_lettered: 3, snoozed: 1, cancelled: 1, failed: 1 });
});

/**
 * One attempt of a job in a process of its own, so a test can kill it with SIGKILL mid-attempt:
 * `node run-job-once.ts <job name> <payload JSON> <job id>`, configured by environment like the
 * worker (DATABASE_URL, DISCORD_*, …). The side-effect store is the worker's real one, in the
 * database's `pgboss` schema. Prints the job's result as JSON, or exits 1 with its error.
 */
import { pino } from 'pino';
import { loadConfig } from '../../../../src/config.ts';
import { openTargets } from '../../../../src/db/targets.ts';
import { createClients } from '../../../../src/jobs/clients.ts';
import { findJob } from '../../../../src/jobs/index.ts';
import { runJobInline } from '../../../../src/jobs/runner.ts';
import { testSideEffects } from '../../../support/side-effects.ts';

const [name, payloadJson, jobId] = process.argv.slice(2);
if (!name || !payloadJson || !jobId) throw new Error('usage: run-job-once.ts <job name> <payload JSON> <job id>');
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const log = pino({ level: 'silent' });
const targets = openTargets(config.targets, 2);
const clients = createClients(config, log);
try {
  const deps = { config, targets, clients, log, sideEffects: testSideEffects(targets.get('production').pool) };
  const result = await runJobInline(findJob(name), JSON.parse(payloadJson), deps, { id: jobId });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await clients.close();
  await targets.destroy();
}

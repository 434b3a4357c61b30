/**
 * npm run enqueue -- <job> '<json payload>' [--start-after <seconds>]
 *
 * Enqueues one job with the same validation the owner's code gets: a bad payload is refused here
 * with the field that was wrong, and never reaches the queue.
 */
import { parseArgs } from 'node:util';
import { PgBoss } from 'pg-boss';
import { enqueue } from '../src/client/enqueue.ts';
import { jobs } from '../src/jobs/index.ts';
import { PayloadError } from '../src/jobs/outcomes.ts';
import { ensureQueues } from '../src/jobs/queue.ts';
import { pino } from 'pino';
import path from 'node:path';
import { loadDevEnvFiles } from './lib/load-env-files.ts';

loadDevEnvFiles(path.resolve(import.meta.dirname, '..'));

const usage = `usage: npm run enqueue -- <job> '<json payload>' [--start-after <seconds>]
jobs:
${jobs.map((job) => `  ${job.name.padEnd(18)} ${job.description}`).join('\n')}`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'start-after': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
const [name, json = '{}'] = positionals;
if (values.help || !name) {
  process.stdout.write(`${usage}\n`);
  process.exit(values.help ? 0 : 64);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const job = jobs.find((candidate) => candidate.name === name) ?? fail(`unknown job "${name}"\n${usage}`);
let payload: unknown;
try {
  payload = JSON.parse(json);
} catch (error) {
  fail(`payload is not JSON: ${error instanceof Error ? error.message : String(error)}`);
}
const startAfter = values['start-after'] === undefined ? undefined : Number(values['start-after']);
if (startAfter !== undefined && !(Number.isFinite(startAfter) && startAfter >= 0)) fail('--start-after must be a number of seconds');

// With no DATABASE_URL this is the developer's embedded database that start-dev.sh runs.
const databaseUrl = process.env.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${process.env.DEV_POSTGRES_PORT ?? 54329}/trademachine`;
const boss = new PgBoss({ connectionString: databaseUrl, schema: process.env.QUEUE_SCHEMA ?? 'pgboss', supervise: false, schedule: false, registerInstance: false });
boss.on('error', (error) => process.stderr.write(`queue error: ${error.message}\n`));
try {
  await boss.start();
  // The worker creates its queues at start; do it here too so enqueueing works before its first start.
  await ensureQueues(boss, jobs, pino({ level: 'warn' }, pino.destination(2)));
  const maxPayloadBytes = process.env.MAX_PAYLOAD_BYTES ? Number(process.env.MAX_PAYLOAD_BYTES) : undefined;
  const id = await enqueue(boss, job.name, payload as never, { ...(startAfter === undefined ? {} : { startAfter }), maxPayloadBytes });
  process.stdout.write(id ? `enqueued ${job.name} ${id}\n` : `not enqueued: ${job.name} already has a job queued (queue policy)\n`);
} catch (error) {
  if (error instanceof PayloadError) fail(`PayloadError: ${error.message}`);
  fail(`could not enqueue: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await boss.stop({ graceful: false, close: true }).catch(() => {});
}

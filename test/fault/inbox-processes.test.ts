/**
 * Two whole worker processes (src/main.ts, INBOX_ENABLED) polling the same `oban_jobs` tables of
 * both schemas while the owner inserts rows; one of them is killed with SIGKILL halfway. Every
 * row must end `completed`, claimed by one process only where nothing crashed, each with exactly
 * one pg-boss job (the id derived from target and row) whose work landed once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startNodeScript } from '../support/spawn-node.ts';
import { inboxJobId } from '../../src/inbox/job-id.ts';

let database: TestDatabase;
const children: ChildProcessWithoutNullStreams[] = [];

before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await database?.drop();
});

/** Starts a worker process and resolves once it logs "worker started". */
async function startWorkerProcess(name: string): Promise<ChildProcessWithoutNullStreams> {
  const child = startNodeScript('src/main.ts', [], {
    DATABASE_URL: database.url,
    HTTP_PORT: '0',
    REPL_ENABLED: 'false',
    LOG_FORMAT: 'json',
    INBOX_ENABLED: 'true',
    INBOX_POLL_MS: '50',
    QUEUE_HEARTBEAT_SECONDS: '10',
    SHUTDOWN_TIMEOUT_MS: '3000',
  });
  children.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${output.slice(-2000)}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"worker started"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) before starting: ${output.slice(-2000)}`)));
  });
  return child;
}

interface Inserted {
  readonly schema: 'public' | 'staging';
  readonly id: number;
  readonly messageId: string;
}

/** The owner's insert of a Brevo webhook row (jobs-reference §7) into one schema's oban_jobs. */
async function ownerInsert(schema: 'public' | 'staging', index: number): Promise<Inserted> {
  const messageId = `<two-processes-${index}@brevo>`;
  const env = schema === 'public' ? 'production' : 'staging';
  const { rows } = await database.pool.query<{ id: string }>(
    `INSERT INTO ${schema}.oban_jobs (queue, worker, args, scheduled_at, priority, state, max_attempts)
     VALUES ('emails', 'TradeMachine.Jobs.EmailWebhookWorker', $1::jsonb, timezone('UTC', now()), 0, 'available', 3) RETURNING id::text AS id`,
    [JSON.stringify({ env, message_id: messageId, event: 'delivered' })],
  );
  return { schema, id: Number(rows[0]!.id), messageId };
}

test('two worker processes, one killed with SIGKILL halfway: every row completes, one job per row, claimed once where nothing crashed', async () => {
  const a = await startWorkerProcess('worker A');
  await startWorkerProcess('worker B');
  const rows: Inserted[] = [];
  for (let index = 0; index < 60; index += 1) {
    rows.push(await ownerInsert(index % 2 === 0 ? 'public' : 'staging', index));
    if (index === 30) a.kill('SIGKILL');
    await sleep(10);
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows: open } = await database.pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM public.oban_jobs WHERE state <> 'completed') + (SELECT count(*) FROM staging.oban_jobs WHERE state <> 'completed') AS n`,
    );
    if (Number(open[0]!.n) === 0) break;
    assert.ok(Date.now() < deadline, `${open[0]!.n} rows not completed after 60 s`);
    await sleep(200);
  }
  let claimedTwice = 0;
  for (const row of rows) {
    const target = row.schema === 'public' ? 'production' : 'staging';
    const jobId = inboxJobId(target, row.id);
    const { rows: jobs } = await database.pool.query<{ state: string }>('SELECT state::text AS state FROM pgboss.job WHERE id = $1::uuid', [jobId]);
    assert.deepEqual(jobs, [{ state: 'completed' }], `${target}#${row.id}: one pg-boss job, completed`);
    const { rows: emails } = await database.pool.query<{ status: string }>(`SELECT status FROM ${row.schema}.email WHERE "messageId" = $1`, [row.messageId]);
    assert.deepEqual(emails, [{ status: 'delivered' }], `${target}#${row.id}: its work landed once, in its own schema`);
    const { rows: admin } = await database.pool.query<{ attempt: number; errors: unknown[] }>(`SELECT attempt, errors FROM ${row.schema}.oban_jobs WHERE id = $1`, [row.id]);
    // A job the killed process held is retried once its heartbeat lapses: attempt 2, with that failure in errors.
    if (admin[0]!.attempt !== 1) claimedTwice += 1;
    assert.ok(admin[0]!.attempt <= 2, `${target}#${row.id}: attempt ${admin[0]!.attempt}`);
  }
  console.log(`two processes, A killed after 31 inserts: 60 rows completed, ${claimedTwice} ran a second attempt (held by A when it died)`);
});
